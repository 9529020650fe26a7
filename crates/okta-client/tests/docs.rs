//! The README shows the crate docs' configuration table as it is (one table, two places).

#[test]
fn the_readme_holds_the_configuration_table_of_the_crate_docs() {
    let table: Vec<&str> = include_str!("../src/configuration.md")
        .lines()
        .filter(|line| line.starts_with('|'))
        .collect();
    assert!(table.len() > 10);
    let readme = include_str!("../../../README.md");
    assert!(
        readme.contains(&table.join("\n")),
        "README.md's configuration table differs from crates/okta-client/src/configuration.md"
    );
}
