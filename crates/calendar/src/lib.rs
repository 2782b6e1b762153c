//! Working days, Vietnamese holidays and deadline arithmetic.
