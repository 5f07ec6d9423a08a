//! insurance rules (pure, no I/O).
