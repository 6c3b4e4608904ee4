//! A query's result: column names and rows of values, read in place.

use std::ffi::{c_char, CString};

use kimberlite::QueryResult;

use crate::error::{c_string, kmb_error};
use crate::guard::{free_box, handle, invalid, put, run};
use crate::sql::kmb_value;
use crate::status::kmb_status;

/// Rows of a query; free with `kmb_rows_free`.
#[derive(Debug)]
pub struct kmb_rows {
    names: Vec<CString>,
    result: QueryResult,
}

impl kmb_rows {
    pub(crate) fn new(result: QueryResult) -> Self {
        let names = result.columns.iter().map(|name| c_string(name)).collect();
        Self { names, result }
    }
}

/// The number of columns (0 for NULL).
#[no_mangle]
pub unsafe extern "C" fn kmb_rows_column_count(rows: *const kmb_rows) -> usize {
    // SAFETY: NULL or a live handle (header rule).
    unsafe { rows.as_ref() }.map_or(0, |rows| rows.names.len())
}

/// Column `index`'s name, borrowed until `kmb_rows_free`; NULL when out of range.
#[no_mangle]
pub unsafe extern "C" fn kmb_rows_column_name(
    rows: *const kmb_rows,
    index: usize,
) -> *const c_char {
    // SAFETY: NULL or a live handle (header rule).
    let name = unsafe { rows.as_ref() }.and_then(|rows| rows.names.get(index));
    name.map_or(std::ptr::null(), |name| name.as_ptr())
}

/// The number of rows (0 for NULL).
#[no_mangle]
pub unsafe extern "C" fn kmb_rows_row_count(rows: *const kmb_rows) -> usize {
    // SAFETY: NULL or a live handle (header rule).
    unsafe { rows.as_ref() }.map_or(0, |rows| rows.result.rows.len())
}

/// The value at (`row`, `column`); its bytes are borrowed until `kmb_rows_free`.
#[no_mangle]
pub unsafe extern "C" fn kmb_rows_get(
    rows: *const kmb_rows,
    row: usize,
    column: usize,
    out: *mut kmb_value,
    error: *mut *mut kmb_error,
) -> kmb_status {
    run(error, || {
        let rows = handle(rows, "rows")?;
        let value = rows
            .result
            .rows
            .get(row)
            .and_then(|cells| cells.get(column))
            .ok_or_else(|| invalid(format!("no cell at row {row}, column {column}")))?;
        put(out, kmb_value::borrowing(value), "out")
    })
}

/// Releases rows; NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn kmb_rows_free(rows: *mut kmb_rows) {
    free_box(rows);
}
