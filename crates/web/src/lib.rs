//! web adapter.
