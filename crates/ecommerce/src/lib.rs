//! ecommerce rules (pure, no I/O).
