//! Use cases of the meeting module. (Filled in as the module's handlers move here.)
