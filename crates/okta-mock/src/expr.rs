//! Okta's `filter` and `search` expression grammar: a recursive-descent parser, the per-mode
//! validation (filter allows far less than search), and evaluation against any [`Subject`].
//!
//! ```text
//! expr    := and ("or" and)*
//! and     := primary ("and" primary)*
//! primary := "(" expr ")" | attr "pr" | attr op literal
//! op      := eq | sw | co | gt | ge | lt | le
//! literal := "string" | number | true | false | null
//! ```

use serde_json::Value;
use std::cmp::Ordering;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Eq,
    Sw,
    Co,
    Gt,
    Ge,
    Lt,
    Le,
    Pr,
}

/// An attribute a user can be searched on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Attr {
    Status,
    Id,
    Created,
    LastUpdated,
    Activated,
    StatusChanged,
    PasswordChanged,
    LastLogin,
    TypeId,
    Profile(String),
}

impl Attr {
    fn parse(name: &str) -> Option<Attr> {
        Some(match name {
            "status" => Attr::Status,
            "id" => Attr::Id,
            "created" => Attr::Created,
            "lastUpdated" => Attr::LastUpdated,
            "activated" => Attr::Activated,
            "statusChanged" => Attr::StatusChanged,
            "passwordChanged" => Attr::PasswordChanged,
            "lastLogin" => Attr::LastLogin,
            "type.id" => Attr::TypeId,
            other => {
                let key = other.strip_prefix("profile.")?;
                if key.is_empty() || key.contains('.') {
                    return None;
                }
                Attr::Profile(key.to_owned())
            }
        })
    }

    fn is_date(&self) -> bool {
        matches!(
            self,
            Attr::Created
                | Attr::LastUpdated
                | Attr::Activated
                | Attr::StatusChanged
                | Attr::PasswordChanged
                | Attr::LastLogin
        )
    }

    /// Parse an attribute name given to `sortBy`.
    pub fn for_sort(name: &str) -> Option<Attr> {
        Attr::parse(name)
    }
}

/// A literal on the right of an operator.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Lit {
    Str(String),
    Num(f64),
    Bool(bool),
    Null,
    Date(OffsetDateTime),
}

/// A parsed expression.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Expr {
    Or(Box<Expr>, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Cmp(Attr, Op, Lit),
}

/// The value of an attribute on the thing being matched.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum AttrVal<'a> {
    Str(&'a str),
    Time(OffsetDateTime),
    Json(&'a Value),
    Missing,
}

/// Anything that can answer for attributes (users, in practice).
pub(crate) trait Subject {
    fn attr(&self, attr: &Attr) -> AttrVal<'_>;
}

/// Which grammar a query parameter speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// `filter`: `eq` on a few attributes, date comparisons on `lastUpdated`.
    Filter,
    /// `search`: every operator on every attribute.
    Search,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    LParen,
    RParen,
    Word(String),
    Str(String),
    Num(f64),
}

fn tokenize(input: &str) -> Result<Vec<Tok>, String> {
    let mut out = Vec::new();
    let mut chars = input.char_indices().peekable();
    while let Some(&(i, c)) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '(' => {
                chars.next();
                out.push(Tok::LParen);
            }
            ')' => {
                chars.next();
                out.push(Tok::RParen);
            }
            '"' => {
                chars.next();
                let mut s = String::new();
                loop {
                    match chars.next() {
                        Some((_, '"')) => break,
                        Some((_, '\\')) => match chars.next() {
                            Some((_, e)) => s.push(e),
                            None => return Err("unterminated string".into()),
                        },
                        Some((_, ch)) => s.push(ch),
                        None => return Err("unterminated string".into()),
                    }
                }
                out.push(Tok::Str(s));
            }
            c if c == '-' || c.is_ascii_digit() => {
                let mut end = i;
                while let Some(&(j, ch)) = chars.peek() {
                    if ch == '-' && j != i || !(ch == '-' || ch == '.' || ch.is_ascii_digit()) {
                        break;
                    }
                    end = j + ch.len_utf8();
                    chars.next();
                }
                let text = &input[i..end];
                let n = text.parse().map_err(|_| format!("bad number {text}"))?;
                out.push(Tok::Num(n));
            }
            c if c.is_alphabetic() || c == '_' => {
                let mut end = i;
                while let Some(&(j, ch)) = chars.peek() {
                    if !(ch.is_alphanumeric() || ch == '_' || ch == '.') {
                        break;
                    }
                    end = j + ch.len_utf8();
                    chars.next();
                }
                out.push(Tok::Word(input[i..end].to_owned()));
            }
            other => return Err(format!("unexpected character {other:?}")),
        }
    }
    Ok(out)
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
}

impl Parser {
    fn peek_word(&self, word: &str) -> bool {
        matches!(self.toks.get(self.pos), Some(Tok::Word(w)) if w.eq_ignore_ascii_case(word))
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn expr(&mut self) -> Result<Expr, String> {
        let mut left = self.and()?;
        while self.peek_word("or") {
            self.pos += 1;
            left = Expr::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, String> {
        let mut left = self.primary()?;
        while self.peek_word("and") {
            self.pos += 1;
            left = Expr::And(Box::new(left), Box::new(self.primary()?));
        }
        Ok(left)
    }

    fn primary(&mut self) -> Result<Expr, String> {
        match self.next() {
            Some(Tok::LParen) => {
                let e = self.expr()?;
                match self.next() {
                    Some(Tok::RParen) => Ok(e),
                    _ => Err("missing )".into()),
                }
            }
            Some(Tok::Word(name)) => {
                let attr = Attr::parse(&name).ok_or(format!("unknown attribute {name}"))?;
                let op = match self.next() {
                    Some(Tok::Word(op)) => match op.to_ascii_lowercase().as_str() {
                        "eq" => Op::Eq,
                        "sw" => Op::Sw,
                        "co" => Op::Co,
                        "gt" => Op::Gt,
                        "ge" => Op::Ge,
                        "lt" => Op::Lt,
                        "le" => Op::Le,
                        "pr" => return Ok(Expr::Cmp(attr, Op::Pr, Lit::Null)),
                        _ => return Err(format!("unknown operator {op}")),
                    },
                    _ => return Err("expected an operator".into()),
                };
                let lit = match self.next() {
                    Some(Tok::Str(s)) => Lit::Str(s),
                    Some(Tok::Num(n)) => Lit::Num(n),
                    Some(Tok::Word(w)) if w == "true" => Lit::Bool(true),
                    Some(Tok::Word(w)) if w == "false" => Lit::Bool(false),
                    Some(Tok::Word(w)) if w == "null" => Lit::Null,
                    _ => return Err("expected a value".into()),
                };
                Ok(Expr::Cmp(attr, op, lit))
            }
            _ => Err("expected an attribute or (".into()),
        }
    }
}

/// Parse and validate an expression for `mode`; the error text becomes the `errorCauses` entry.
pub(crate) fn parse(input: &str, mode: Mode) -> Result<Expr, String> {
    let toks = tokenize(input)?;
    if toks.is_empty() {
        return Err("empty expression".into());
    }
    let mut p = Parser { toks, pos: 0 };
    let expr = p.expr()?;
    if p.pos < p.toks.len() {
        return Err("unexpected trailing input".into());
    }
    check(expr, mode)
}

/// Enforce the mode's rules and turn date strings into dates.
fn check(expr: Expr, mode: Mode) -> Result<Expr, String> {
    Ok(match expr {
        Expr::Or(a, b) => Expr::Or(Box::new(check(*a, mode)?), Box::new(check(*b, mode)?)),
        Expr::And(a, b) => Expr::And(Box::new(check(*a, mode)?), Box::new(check(*b, mode)?)),
        Expr::Cmp(attr, op, lit) => {
            if mode == Mode::Filter {
                let ok = match &attr {
                    Attr::LastUpdated => op != Op::Pr && op != Op::Sw && op != Op::Co,
                    Attr::Status | Attr::Id => op == Op::Eq,
                    Attr::Profile(k) => {
                        op == Op::Eq
                            && matches!(k.as_str(), "login" | "email" | "firstName" | "lastName")
                    }
                    _ => false,
                };
                if !ok {
                    return Err("unsupported filter".into());
                }
            }
            let lit = match (attr.is_date(), op, lit) {
                (true, Op::Pr, l) => l,
                (true, _, Lit::Str(s)) => Lit::Date(
                    OffsetDateTime::parse(&s, &Rfc3339).map_err(|_| format!("invalid date {s}"))?,
                ),
                (true, _, _) => return Err("dates must be quoted strings".into()),
                (false, Op::Sw | Op::Co, l @ Lit::Str(_)) => l,
                (false, Op::Sw | Op::Co, _) => return Err("sw and co need a string".into()),
                (false, _, l) => l,
            };
            Expr::Cmp(attr, op, lit)
        }
    })
}

/// Does `subject` satisfy `expr`?
pub(crate) fn matches(expr: &Expr, subject: &impl Subject) -> bool {
    match expr {
        Expr::Or(a, b) => matches(a, subject) || matches(b, subject),
        Expr::And(a, b) => matches(a, subject) && matches(b, subject),
        Expr::Cmp(attr, op, lit) => compare(&subject.attr(attr), *op, lit),
    }
}

fn compare(val: &AttrVal<'_>, op: Op, lit: &Lit) -> bool {
    match (val, op) {
        (AttrVal::Missing | AttrVal::Json(Value::Null), Op::Pr) => false,
        (_, Op::Pr) => true,
        (AttrVal::Json(Value::Array(items)), _) => {
            items.iter().any(|v| compare(&AttrVal::Json(v), op, lit))
        }
        (AttrVal::Json(Value::String(s)), _) => match lit {
            Lit::Str(l) => cmp_str(s, l, op),
            _ => false,
        },
        (AttrVal::Str(s), _) => match lit {
            Lit::Str(l) => cmp_str(s, l, op),
            _ => false,
        },
        (AttrVal::Json(Value::Number(n)), _) => match (n.as_f64(), lit) {
            (Some(a), Lit::Num(b)) => a.partial_cmp(b).is_some_and(|o| ord_ok(o, op)),
            _ => false,
        },
        (AttrVal::Json(Value::Bool(a)), Op::Eq) => *lit == Lit::Bool(*a),
        (AttrVal::Json(Value::Null) | AttrVal::Missing, Op::Eq) => *lit == Lit::Null,
        (AttrVal::Time(t), _) => match lit {
            Lit::Date(d) => ord_ok(t.cmp(d), op),
            _ => false,
        },
        _ => false,
    }
}

fn cmp_str(a: &str, b: &str, op: Op) -> bool {
    let (a, b) = (a.to_lowercase(), b.to_lowercase());
    match op {
        Op::Sw => a.starts_with(&b),
        Op::Co => a.contains(&b),
        _ => ord_ok(a.cmp(&b), op),
    }
}

fn ord_ok(o: Ordering, op: Op) -> bool {
    match op {
        Op::Eq => o == Ordering::Equal,
        Op::Gt => o == Ordering::Greater,
        Op::Ge => o != Ordering::Less,
        Op::Lt => o == Ordering::Less,
        Op::Le => o != Ordering::Greater,
        Op::Sw | Op::Co | Op::Pr => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    struct U {
        status: &'static str,
        updated: OffsetDateTime,
        profile: Value,
    }

    impl Subject for U {
        fn attr(&self, attr: &Attr) -> AttrVal<'_> {
            match attr {
                Attr::Status => AttrVal::Str(self.status),
                Attr::LastUpdated => AttrVal::Time(self.updated),
                Attr::Profile(k) => self.profile.get(k).map_or(AttrVal::Missing, AttrVal::Json),
                _ => AttrVal::Missing,
            }
        }
    }

    fn user() -> U {
        U {
            status: "ACTIVE",
            updated: OffsetDateTime::parse("2024-05-01T10:00:00.000Z", &Rfc3339).unwrap(),
            profile: json!({"login": "Ada.Lovelace@example.com", "firstName": "Ada", "employeeNumber": "1042", "level": 3, "tags": ["a", "b"]}),
        }
    }

    fn eval(q: &str, mode: Mode) -> bool {
        matches(&parse(q, mode).unwrap(), &user())
    }

    #[test]
    fn filter_grammar() {
        assert!(eval(r#"status eq "ACTIVE""#, Mode::Filter));
        assert!(eval(
            r#"profile.login eq "ada.lovelace@example.com""#,
            Mode::Filter
        ));
        assert!(eval(
            r#"lastUpdated gt "2024-01-01T00:00:00.000Z""#,
            Mode::Filter
        ));
        assert!(!eval(
            r#"lastUpdated lt "2024-01-01T00:00:00.000Z""#,
            Mode::Filter
        ));
        assert!(eval(
            r#"(status eq "STAGED" or status eq "ACTIVE") and profile.firstName eq "Ada""#,
            Mode::Filter
        ));
        assert!(!eval(
            r#"status eq "STAGED" or status eq "SUSPENDED""#,
            Mode::Filter
        ));
    }

    #[test]
    fn filter_rejects_search_only_constructs() {
        assert!(parse(r#"profile.login sw "ada""#, Mode::Filter).is_err());
        assert!(parse(r#"profile.employeeNumber eq "1""#, Mode::Filter).is_err());
        assert!(parse("status pr", Mode::Filter).is_err());
    }

    #[test]
    fn search_grammar() {
        assert!(eval(r#"profile.login sw "ADA""#, Mode::Search));
        assert!(eval(r#"profile.login co "lovelace""#, Mode::Search));
        assert!(eval(r#"profile.employeeNumber eq "1042""#, Mode::Search));
        assert!(eval(
            "profile.level ge 3 and profile.level lt 4",
            Mode::Search
        ));
        assert!(eval("profile.employeeNumber pr", Mode::Search));
        assert!(!eval("profile.nickName pr", Mode::Search));
        assert!(eval(r#"profile.tags eq "b""#, Mode::Search));
        assert!(eval(
            r#"lastUpdated ge "2024-05-01T10:00:00.000Z""#,
            Mode::Search
        ));
        assert!(eval(
            r#"status EQ "active" AND (profile.firstName sw "x" OR profile.firstName sw "a")"#,
            Mode::Search
        ));
    }

    #[test]
    fn invalid_expressions_are_errors() {
        for bad in [
            "",
            "status",
            r#"status eq"#,
            r#"status xx "A""#,
            r#"(status eq "A""#,
            r#"status eq "A" and"#,
            r#"status eq "A" extra"#,
            r#"lastUpdated gt "yesterday""#,
            r#"nosuch eq "x""#,
            r#"profile.login eq "unterminated"#,
            r#"profile.login sw 3"#,
        ] {
            assert!(parse(bad, Mode::Search).is_err(), "{bad}");
        }
    }
}
