//! Use cases of the subsidy module. (Filled in as the module's handlers move here.)
