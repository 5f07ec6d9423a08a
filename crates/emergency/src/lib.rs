//! emergency rules (pure, no I/O).
