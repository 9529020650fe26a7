//! The README's table of what the mock models stays true: every row that says "yes" names tests,
//! and every test it names exists.

use std::path::Path;

#[test]
fn every_modelled_behaviour_names_tests_that_exist() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let table = readme
        .split("| Okta behaviour | mock | tests |")
        .nth(1)
        .expect("the behaviour table");
    let mut modelled = 0;
    let mut unmodelled = 0;
    for row in table.lines().skip(2).take_while(|l| l.starts_with('|')) {
        let cells: Vec<&str> = row.trim_matches('|').split(" | ").map(str::trim).collect();
        assert_eq!(cells.len(), 3, "three cells: {row}");
        let tests: Vec<&str> = cells[2].split('`').skip(1).step_by(2).collect();
        if cells[1] == "yes" {
            modelled += 1;
            assert!(
                !tests.is_empty(),
                "a modelled behaviour with no test: {row}"
            );
        } else {
            unmodelled += 1;
            assert!(cells[1].starts_with("no"), "yes or no: {row}");
        }
        for test in tests {
            let (file, name) = test.split_once("::").expect("file.rs::test_name");
            let source = std::fs::read_to_string(root.join("tests").join(file))
                .unwrap_or_else(|e| panic!("{test}: {e}"));
            assert!(
                source.contains(&format!("async fn {name}()"))
                    || source.contains(&format!("fn {name}()")),
                "{test} is not a test in tests/{file}"
            );
        }
    }
    assert!(
        modelled >= 19 && unmodelled >= 9,
        "{modelled} modelled, {unmodelled} not"
    );
}
