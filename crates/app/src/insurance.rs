//! Use cases of the insurance module. (Filled in as the module's handlers move here.)
