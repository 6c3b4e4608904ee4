//! The rows of `INSERT .. VALUES` read straight from the tokens when every
//! value is a literal or a `$n` parameter.
//!
//! sqlparser spends microseconds on each value of a VALUES list (it tries,
//! and fails, to read every literal as a typed string first, formatting an
//! error each time), which made parsing the largest cost of a bulk INSERT.
//! So the rows are read here, and all but the first are removed from the
//! tokens: sqlparser parses a one-row INSERT (the statement's shape: table,
//! columns, ON CONFLICT, RETURNING, with the original positions for its
//! errors) and the planner takes the rows from [`LiteralRows`].
//!
//! A value is taken only in the forms the AST path would read as the same
//! cell (`write/insert.rs` falls back to SQLite for anything else): numbers
//! as SQLite reads them, single-quoted strings, TRUE/FALSE, NULL, `-` before
//! a number, `$n`. Any other token in a row, or anything but ON CONFLICT or
//! RETURNING after the rows, leaves the tokens as they are.

#[cfg(test)]
mod tests;

use kimberlite_protocol::Value as WireValue;
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Token, TokenWithSpan};

use crate::cell::Cell;
use crate::error::SqlError;
use crate::values::param_cell;

/// One value of a row: a literal, or a parameter (its index from 0).
#[derive(Clone, Debug, PartialEq)]
enum Literal {
    Cell(Cell),
    Parameter(usize),
}

/// The rows of a literal VALUES list.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LiteralRows {
    rows: Vec<Vec<Literal>>,
}

impl LiteralRows {
    /// The rows' cells, parameters bound.
    pub fn cells(&self, params: &[WireValue]) -> Result<Vec<Vec<Cell>>, SqlError> {
        let bind = |literal: &Literal| match literal {
            Literal::Cell(cell) => Ok(cell.clone()),
            Literal::Parameter(index) => params.get(*index).map(param_cell).ok_or_else(|| {
                SqlError::InvalidRequest(format!(
                    "the statement uses parameter ${} but {} were given",
                    params.len() + 1,
                    params.len()
                ))
            }),
        };
        self.rows
            .iter()
            .map(|row| row.iter().map(bind).collect())
            .collect()
    }
}

/// Takes the literal rows of an INSERT out of `tokens`, leaving the first
/// row for the parser; `None` (tokens untouched) when the statement is not
/// such an INSERT.
pub fn take_insert_rows(tokens: &mut Vec<TokenWithSpan>) -> Option<LiteralRows> {
    let first = next_significant(tokens, 0)?;
    if !is_keyword(&tokens[first].token, Keyword::INSERT) {
        return None;
    }
    let values = find_values(tokens, first)?;
    let mut rows = Vec::new();
    let mut at = next_significant(tokens, values + 1)?;
    let mut first_row_end = 0;
    loop {
        let (row, end) = read_row(tokens, at)?;
        rows.push(row);
        if first_row_end == 0 {
            first_row_end = end;
        }
        match next_significant(tokens, end) {
            Some(comma) if tokens[comma].token == Token::Comma => {
                at = next_significant(tokens, comma + 1)?;
            }
            Some(next) if follows_rows(&tokens[next].token) => {
                tokens.drain(first_row_end..next);
                break;
            }
            Some(_) => return None,
            None => {
                tokens.truncate(first_row_end);
                break;
            }
        }
    }
    Some(LiteralRows { rows })
}

/// The index of the top-level VALUES keyword after `from`, if the INSERT has one.
fn find_values(tokens: &[TokenWithSpan], from: usize) -> Option<usize> {
    let mut depth = 0_usize;
    for (index, token) in tokens.iter().enumerate().skip(from) {
        match &token.token {
            Token::LParen => depth += 1,
            Token::RParen => depth = depth.checked_sub(1)?,
            token if depth == 0 && is_keyword(token, Keyword::VALUES) => return Some(index),
            token if depth == 0 && is_keyword(token, Keyword::SELECT) => return None,
            _ => {}
        }
    }
    None
}

/// A parenthesised row at `tokens[at]`: its values and the index after it.
fn read_row(tokens: &[TokenWithSpan], at: usize) -> Option<(Vec<Literal>, usize)> {
    if tokens[at].token != Token::LParen {
        return None;
    }
    let mut row = Vec::new();
    let mut index = next_significant(tokens, at + 1)?;
    loop {
        let (literal, after) = read_value(tokens, index)?;
        row.push(literal);
        let separator = next_significant(tokens, after)?;
        match tokens[separator].token {
            Token::Comma => index = next_significant(tokens, separator + 1)?,
            Token::RParen => return Some((row, separator + 1)),
            _ => return None,
        }
    }
}

/// One value at `tokens[at]` and the index after it.
fn read_value(tokens: &[TokenWithSpan], at: usize) -> Option<(Literal, usize)> {
    let literal = match &tokens[at].token {
        Token::Number(text, false) => Literal::Cell(number(text, false)?),
        Token::SingleQuotedString(text) => Literal::Cell(Cell::Text(text.clone())),
        Token::Placeholder(name) => {
            let index: usize = name.strip_prefix('$')?.parse().ok()?;
            Literal::Parameter(index.checked_sub(1)?)
        }
        Token::Minus => {
            let number_at = next_significant(tokens, at + 1)?;
            let Token::Number(text, false) = &tokens[number_at].token else {
                return None;
            };
            return Some((Literal::Cell(number(text, true)?), number_at + 1));
        }
        token if is_keyword(token, Keyword::TRUE) => Literal::Cell(Cell::Integer(1)),
        token if is_keyword(token, Keyword::FALSE) => Literal::Cell(Cell::Integer(0)),
        token if is_keyword(token, Keyword::NULL) => Literal::Cell(Cell::Null),
        _ => return None,
    };
    Some((literal, at + 1))
}

/// What may follow the rows of an INSERT read here.
fn follows_rows(token: &Token) -> bool {
    is_keyword(token, Keyword::ON) || is_keyword(token, Keyword::RETURNING)
}

fn is_keyword(token: &Token, keyword: Keyword) -> bool {
    matches!(token, Token::Word(word) if word.quote_style.is_none() && word.keyword == keyword)
}

/// The first token at or after `from` that is not whitespace.
fn next_significant(tokens: &[TokenWithSpan], from: usize) -> Option<usize> {
    (from..tokens.len()).find(|index| !matches!(tokens[*index].token, Token::Whitespace(_)))
}

/// A decimal literal as SQLite reads it: an integer when it is all digits
/// and fits, else a real; anything unusual (hex, exponent forms SQLite might
/// read differently, digits too many for an integer) is left to SQLite.
fn number(text: &str, negative: bool) -> Option<Cell> {
    if text.is_empty()
        || !text
            .bytes()
            .all(|byte| byte.is_ascii_digit() || byte == b'.')
    {
        return None;
    }
    if text.bytes().all(|byte| byte.is_ascii_digit()) {
        let magnitude: u64 = text.parse().ok()?;
        return if negative {
            0_i64.checked_sub_unsigned(magnitude).map(Cell::Integer)
        } else {
            i64::try_from(magnitude).ok().map(Cell::Integer)
        };
    }
    let real: f64 = text.parse().ok()?;
    Some(Cell::Real(if negative { -real } else { real }))
}
