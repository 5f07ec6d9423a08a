//! meeting rules (pure, no I/O).
