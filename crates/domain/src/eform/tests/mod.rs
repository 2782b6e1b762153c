//! Tests across the module: checking definitions, validating data, prefill, the built-in
//! forms, and properties.
