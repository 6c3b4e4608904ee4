use super::*;

/// Positions computed by simulating the post-order appends.
fn simulated_positions(leaves: u64) -> Vec<(u64, u32)> {
    let mut written = Vec::new();
    for leaf in 0..leaves {
        written.push((leaf, 0));
        let mut height = 0;
        while (leaf + 1) % (1u64 << (height + 1)) == 0 {
            height += 1;
            written.push((leaf + 1 - (1u64 << height), height));
        }
    }
    written
}

#[test]
fn positions_match_a_simulated_post_order() {
    let written = simulated_positions(300);
    for (position, (start, height)) in written.iter().enumerate() {
        assert_eq!(
            node_position(*start, *height),
            position as u64,
            "{start} {height}"
        );
    }
    for leaves in 0..300u64 {
        let count = simulated_positions(leaves).len() as u64;
        assert_eq!(node_count(leaves), count);
        assert_eq!(leaves_for_node_count(count), leaves);
        // A count between whole trees belongs to the smaller tree.
        if node_count(leaves + 1) > count + 1 {
            assert_eq!(leaves_for_node_count(count + 1), leaves);
        }
    }
}
