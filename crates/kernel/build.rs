// The policy files are embedded with include_dir!; rebuild when any changes.
fn main() {
    println!("cargo:rerun-if-changed=../../policy");
}
