//! Use cases of the emergency module. (Filled in as the module's handlers move here.)
