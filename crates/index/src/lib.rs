//! The 766 service-quality index.
