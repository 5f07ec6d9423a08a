//! store adapter.
