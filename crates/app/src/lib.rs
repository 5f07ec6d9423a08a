//! Use cases (用例): what the platform does, between the engines and the
//! adapters. Each use case takes typed input and an [`Actor`], asks
//! [`access::Duties`] whether the actor's duties allow it on this object,
//! calls the document's engine, and writes through the store in one
//! transaction (which also appends the audit entry). Web handlers, API
//! routes and CLI commands parse, call a use case, and render.
//!
//! Architecture invariant: no HTTP, no HTML, no terminal. Rules live in the
//! engines (`ecommerce`, `insurance`, `emergency`, `meeting`), duties in
//! `access`; a use case composes them and never decides a rule itself.

use std::sync::Arc;

use access::{Actor, Duties};
use district::District;
use kernel::{Date, ParamSet, WorkCalendar};
use store::Store;

pub mod emergency;
mod error;
pub mod insurance;
pub mod meeting;
pub mod platform;
pub mod reference;
pub mod subsidy;
pub mod workbench;

pub use error::{Error, Result};

/// What every use case needs; cheap to clone.
#[derive(Clone)]
pub struct App {
    pub store: Store,
    pub params: Arc<ParamSet>,
    pub calendar: Arc<WorkCalendar>,
    pub district: Arc<District>,
    pub duties: Arc<Duties>,
    clock: Clock,
}

/// Where "today" comes from: the system clock in China Standard Time, or a
/// fixed date (tests, and demos of a past year).
#[derive(Clone, Copy, Debug)]
pub enum Clock {
    System,
    Fixed(Date),
}

impl App {
    /// Load the district and the duties table from `params`.
    pub fn new(store: Store, params: ParamSet, calendar: WorkCalendar) -> Result<App> {
        let district = District::load(&params).map_err(Error::internal)?;
        let duties = Duties::load(&params, &district).map_err(Error::internal)?;
        Ok(App {
            store,
            params: Arc::new(params),
            calendar: Arc::new(calendar),
            district: Arc::new(district),
            duties: Arc::new(duties),
            clock: Clock::System,
        })
    }

    pub fn with_clock(mut self, clock: Clock) -> App {
        self.clock = clock;
        self
    }

    /// Today's date in China Standard Time (or the fixed date).
    pub fn today(&self) -> Date {
        match self.clock {
            Clock::System => store::today(),
            Clock::Fixed(d) => d,
        }
    }

    /// The account as an [`Actor`]: its department resolved to the full name
    /// (an account may have been created with an alias such as 区人社局).
    pub fn actor_of(&self, u: &store::User) -> Actor {
        let unit = u.department.as_deref().map(|d| self.district.department(d).map(|x| x.name.clone()).unwrap_or_else(|| d.to_string()));
        Actor {
            username: u.username.clone(),
            role: Some(u.role),
            unit,
            town: u.town.clone(),
            village: u.village.clone(),
            enterprise: u.enterprise_uscc.clone(),
        }
    }

    /// Route level: the actor's broadest grant for `action`, or why not.
    pub fn may(&self, actor: &Actor, action: access::Action) -> Result<access::Grant> {
        Ok(self.duties.may(actor, action)?)
    }

    /// Object level: the actor's grant for `action` on `target`, or why not.
    pub fn may_on(&self, actor: &Actor, action: access::Action, target: &access::Target) -> Result<access::Grant> {
        Ok(self.duties.may_on(actor, action, target)?)
    }
}
