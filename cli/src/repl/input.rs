//! What a line of input asks for: a meta-command, or SQL statements.
//!
//! A line is split on `;` outside quotes, so both "one statement per line" and
//! "several `;`-terminated statements on a line" work; a line with no `;` is
//! one statement. Meta-commands start with a backslash and take the line.

/// One thing to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    /// A SQL statement, without its `;`.
    Sql(String),
    /// `\help` or `\?`.
    Help,
    /// `\tables`.
    Tables,
    /// `\streams`.
    Streams,
    /// `\info`.
    Info,
    /// `\quit` or `\q`.
    Quit,
    /// A meta-command this shell does not know.
    Unknown(String),
}

/// The help text of the shell.
pub const HELP: &str = "\
Type SQL statements, one per line or ended by ';'. Meta-commands:
  \\help, \\?     this help
  \\tables       list the tables of the tenant (SHOW TABLES)
  \\streams      list the streams of the tenant (SHOW STREAMS)
  \\info         the server's version, signing key and capabilities
  \\quit, \\q     leave (so does end of input)";

/// Parses one line of input.
#[must_use]
pub fn parse_line(line: &str) -> Vec<Input> {
    let trimmed = line.trim();
    if let Some(command) = trimmed.strip_prefix('\\') {
        let word = command.split_whitespace().next().unwrap_or("");
        let input = match word {
            "help" | "?" => Input::Help,
            "tables" | "dt" => Input::Tables,
            "streams" => Input::Streams,
            "info" => Input::Info,
            "quit" | "q" => Input::Quit,
            other => Input::Unknown(other.to_owned()),
        };
        return vec![input];
    }
    split_statements(trimmed)
        .into_iter()
        .map(Input::Sql)
        .collect()
}

/// Splits on `;` outside single quotes, double quotes and `--` comments;
/// drops empty statements.
#[must_use]
pub fn split_statements(text: &str) -> Vec<String> {
    let mut statements = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    let mut chars = text.chars().peekable();
    while let Some(character) = chars.next() {
        match (quote, character) {
            (Some(open), c) if c == open => {
                quote = None;
                current.push(c);
            }
            (Some(_), c) => current.push(c),
            (None, '\'' | '"') => {
                quote = Some(character);
                current.push(character);
            }
            (None, '-') if chars.peek() == Some(&'-') => break,
            (None, ';') => statements.push(std::mem::take(&mut current)),
            (None, c) => current.push(c),
        }
    }
    statements.push(current);
    statements
        .into_iter()
        .map(|statement| statement.trim().to_owned())
        .filter(|statement| !statement.is_empty())
        .collect()
}
