//! SQL values between Python and the wire's [`Value`].
//!
//! `None`, `bool`, `int`, `float`, `str` and `bytes` are converted here; the richer
//! kinds (`Decimal`, `date`, `time`, `datetime`, `UUID`, JSON) go through the small
//! Python helpers of `kimberlite/_values.py`, which know the standard library types.

use kimberlite::Value;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyFloat, PyInt, PyString};

/// A wire value as a Python object.
pub fn to_python(py: Python<'_>, value: Value) -> PyResult<Py<PyAny>> {
    let rich = |kind: &str, raw: Py<PyAny>| -> PyResult<Py<PyAny>> {
        let helpers = py.import("kimberlite._values")?;
        Ok(helpers.getattr("from_wire")?.call1((kind, raw))?.unbind())
    };
    let object = match value {
        Value::Null => py.None(),
        Value::BigInt(number) => number.into_pyobject(py)?.into_any().unbind(),
        Value::Text(text) => text.into_pyobject(py)?.into_any().unbind(),
        Value::Boolean(flag) => PyBool::new(py, flag).to_owned().into_any().unbind(),
        Value::Real(number) => number.into_pyobject(py)?.into_any().unbind(),
        Value::Bytes(bytes) => PyBytes::new(py, &bytes).into_any().unbind(),
        Value::Timestamp(ns) => rich("timestamp", ns.into_pyobject(py)?.into_any().unbind())?,
        Value::TimestampTz(ns) => rich("timestamptz", ns.into_pyobject(py)?.into_any().unbind())?,
        Value::Decimal(text) => rich("decimal", text.into_pyobject(py)?.into_any().unbind())?,
        Value::Date(days) => rich("date", days.into_pyobject(py)?.into_any().unbind())?,
        Value::Time(ns) => rich("time", ns.into_pyobject(py)?.into_any().unbind())?,
        Value::Uuid(bytes) => rich("uuid", PyBytes::new(py, &bytes).into_any().unbind())?,
        Value::Json(text) => rich("json", text.into_pyobject(py)?.into_any().unbind())?,
    };
    Ok(object)
}

/// A Python object as a wire value.
///
/// # Errors
/// `ArgumentTypeError` (a `TypeError`) for a type with no SQL counterpart.
pub fn from_python(object: &Bound<'_, PyAny>) -> PyResult<Value> {
    if object.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(flag) = object.cast::<PyBool>() {
        return Ok(Value::Boolean(flag.is_true()));
    }
    if object.is_instance_of::<PyInt>() {
        let number: i64 = object.extract().map_err(|_| {
            crate::error::invalid_argument("an integer parameter must fit in 64 bits")
        })?;
        return Ok(Value::BigInt(number));
    }
    if let Ok(number) = object.cast::<PyFloat>() {
        return Ok(Value::Real(number.value()));
    }
    if let Ok(text) = object.cast::<PyString>() {
        return Ok(Value::Text(text.to_cow()?.into_owned()));
    }
    if let Ok(bytes) = object.cast::<PyBytes>() {
        return Ok(Value::Bytes(bytes.as_bytes().to_vec()));
    }
    let helpers = object.py().import("kimberlite._values")?;
    let (kind, raw): (String, Bound<'_, PyAny>) =
        helpers.getattr("to_wire")?.call1((object,))?.extract()?;
    match kind.as_str() {
        "timestamp" => Ok(Value::Timestamp(raw.extract()?)),
        "timestamptz" => Ok(Value::TimestampTz(raw.extract()?)),
        "decimal" => Ok(Value::Decimal(raw.extract()?)),
        "date" => Ok(Value::Date(raw.extract()?)),
        "time" => Ok(Value::Time(raw.extract()?)),
        "uuid" => {
            let bytes: Vec<u8> = raw.cast::<PyBytes>()?.as_bytes().to_vec();
            let array = <[u8; 16]>::try_from(bytes.as_slice())
                .map_err(|_| crate::error::invalid_argument("a UUID has 16 bytes"))?;
            Ok(Value::Uuid(array))
        }
        "json" => Ok(Value::Json(raw.extract()?)),
        "bytes" => Ok(Value::Bytes(raw.cast::<PyBytes>()?.as_bytes().to_vec())),
        _ => Err(crate::error::argument_type(format!(
            "a parameter of type {} has no SQL counterpart",
            object.get_type().name()?
        ))),
    }
}

/// Parameters as wire values.
pub fn parameters(params: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<Value>> {
    let Some(params) = params else {
        return Ok(Vec::new());
    };
    if params.is_instance_of::<PyString>() || params.is_instance_of::<PyBytes>() {
        return Err(crate::error::argument_type(
            "parameters are a sequence of values, not one string",
        ));
    }
    params.try_iter()?.map(|item| from_python(&item?)).collect()
}

/// Event payloads: a list of `bytes` (or `bytearray`, `memoryview`).
pub fn payloads(events: &Bound<'_, PyAny>) -> PyResult<Vec<Vec<u8>>> {
    if events.is_instance_of::<PyBytes>() || events.is_instance_of::<PyString>() {
        return Err(crate::error::argument_type(
            "events is a list of bytes, not a single bytes or str",
        ));
    }
    events
        .try_iter()?
        .map(|item| {
            let item = item?;
            if let Ok(bytes) = item.cast::<PyBytes>() {
                return Ok(bytes.as_bytes().to_vec());
            }
            if item.is_instance_of::<PyString>() {
                return Err(crate::error::argument_type("an event is bytes, not str"));
            }
            item.extract::<Vec<u8>>().map_err(|_| {
                crate::error::argument_type("an event is bytes, bytearray or memoryview")
            })
        })
        .collect()
}
