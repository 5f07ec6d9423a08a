//! One module per document: its pages, its API routes, its public fragment.

pub mod emergency;
pub mod insurance;
pub mod meeting;
pub mod subsidy;
