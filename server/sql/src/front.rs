//! The front end: statements of our own dialect (`SHOW TABLES`, `SHOW STREAMS`, `DESCRIBE`,
//! `HISTORY OF`, `ALTER TABLE .. SET RETENTION`), the time-travel clauses
//! (`AS OF TIMESTAMP`, `FOR SYSTEM_TIME AS OF`, `AT OFFSET`) taken out of the
//! token stream, and everything else parsed by sqlparser.

mod cache;
mod insert_rows;
#[cfg(test)]
mod tests;

use sqlparser::ast::{Ident, ObjectName, Statement};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Span, Token, TokenWithSpan, Tokenizer, Whitespace};

use crate::error::SqlError;
use crate::temporal::parse_timestamp_ns;

pub use cache::ParseCache;
pub(crate) use cache::MAX_TEXT_BYTES;
pub use insert_rows::LiteralRows;

const NANOS_PER_DAY: u64 = 86_400 * 1_000_000_000;

/// When a query reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeTravel {
    /// The last position committed at or before this time (ns).
    Timestamp(i64),
    /// This position of the SQL log.
    Offset(u64),
}

/// A statement, parsed.
#[derive(Debug)]
pub enum Parsed {
    /// `SHOW TABLES`.
    ShowTables,
    /// `SHOW STREAMS`.
    ShowStreams,
    /// `DESCRIBE t`.
    Describe(String),
    /// `HISTORY OF t`.
    History(String),
    /// `ALTER TABLE t SET RETENTION n DAYS|YEARS`.
    SetRetention {
        /// The table.
        table: String,
        /// The minimum history, ns.
        min_history_ns: u64,
    },
    /// Standard SQL.
    Sql {
        /// The statement (an INSERT with literal rows holds only its first).
        statement: Box<Statement>,
        /// The time a query reads at, if one was given.
        time: Option<TimeTravel>,
        /// The rows of an INSERT whose VALUES are all literals or parameters.
        rows: Option<LiteralRows>,
    },
}

/// The dialect statements are parsed with.
pub const DIALECT: PostgreSqlDialect = PostgreSqlDialect {};

/// A name as the catalog keeps it: unquoted identifiers fold to lower case.
pub fn ident_name(ident: &Ident) -> String {
    if ident.quote_style.is_some() {
        ident.value.clone()
    } else {
        ident.value.to_lowercase()
    }
}

/// A one-part object name, folded; schema-qualified names are refused.
pub fn object_name(name: &ObjectName) -> Result<String, SqlError> {
    match name.0.as_slice() {
        [part] => part
            .as_ident()
            .map(ident_name)
            .ok_or_else(|| SqlError::Unsupported(format!("the name {name}"))),
        _ => Err(SqlError::Forbidden(format!(
            "qualified name {name}: tables are named without a schema"
        ))),
    }
}

/// Parses one statement of our dialect.
///
/// The text is tokenized once: the parser takes the tokens left after the
/// time-travel clauses (and the literal rows of an INSERT but its first)
/// are removed, with their places in the original text.
pub fn parse(sql: &str) -> Result<Parsed, SqlError> {
    let mut tokens = Tokenizer::new(&DIALECT, sql)
        .tokenize_with_location()
        .map_err(|error| tokenizer_error(&error))?;
    while matches!(
        tokens.last().map(|token| &token.token),
        Some(Token::SemiColon | Token::Whitespace(_))
    ) {
        tokens.pop();
    }
    if let Some(parsed) = own_statement(&tokens)? {
        return Ok(parsed);
    }
    let rows = insert_rows::take_insert_rows(&mut tokens);
    let (tokens, time) = take_time_travel(tokens)?;
    let mut statements = Parser::new(&DIALECT)
        .with_tokens_with_locations(tokens)
        .parse_statements()
        .map_err(|error| at_end_if_unplaced(SqlError::from_parser(&error), sql))?;
    match (statements.pop(), statements.is_empty()) {
        (Some(statement), true) => Ok(Parsed::Sql {
            statement: Box::new(statement),
            time,
            rows,
        }),
        (None, _) => Err(SqlError::InvalidRequest("empty statement".to_owned())),
        (Some(_), false) => Err(SqlError::InvalidRequest(
            "one statement per request, please".to_owned(),
        )),
    }
}

/// A parse error without a place (the text ended early) placed just after
/// the last character.
fn at_end_if_unplaced(error: SqlError, text: &str) -> SqlError {
    match error {
        SqlError::Parse {
            line: 0, message, ..
        } => {
            let trimmed = text.trim_end();
            let line = trimmed.lines().count().max(1);
            let column = trimmed
                .lines()
                .last()
                .map_or(0, |last| last.chars().count())
                + 1;
            SqlError::Parse {
                line: line as u64,
                column: column as u64,
                message,
            }
        }
        other => other,
    }
}

fn tokenizer_error(error: &sqlparser::tokenizer::TokenizerError) -> SqlError {
    SqlError::Parse {
        line: error.location.line,
        column: error.location.column,
        message: error.message.clone(),
    }
}

/// The first tokens that are not whitespace (enough for our own statements)
/// and how many there are in all.
fn significant(tokens: &[TokenWithSpan]) -> (Vec<&Token>, usize) {
    let mut count = 0;
    let mut first = Vec::new();
    for token in tokens {
        if !matches!(token.token, Token::Whitespace(_)) {
            count += 1;
            if first.len() < 8 {
                first.push(&token.token);
            }
        }
    }
    (first, count)
}

fn keyword(token: Option<&&Token>, expected: &str) -> bool {
    matches!(token, Some(Token::Word(word)) if word.quote_style.is_none()
        && word.value.eq_ignore_ascii_case(expected))
}

fn name_of(token: Option<&&Token>) -> Option<String> {
    match token {
        Some(Token::Word(word)) if word.quote_style.is_some() => Some(word.value.clone()),
        Some(Token::Word(word)) => Some(word.value.to_lowercase()),
        _ => None,
    }
}

fn own_statement(tokens: &[TokenWithSpan]) -> Result<Option<Parsed>, SqlError> {
    let (words, count) = significant(tokens);
    let at = |index: usize| words.get(index);
    let expect_end = |length: usize, what: &str| {
        if count == length {
            Ok(())
        } else {
            Err(SqlError::InvalidRequest(format!(
                "unexpected text after {what}"
            )))
        }
    };
    if keyword(at(0), "SHOW") && keyword(at(1), "TABLES") {
        expect_end(2, "SHOW TABLES")?;
        return Ok(Some(Parsed::ShowTables));
    }
    if keyword(at(0), "SHOW") && keyword(at(1), "STREAMS") {
        expect_end(2, "SHOW STREAMS")?;
        return Ok(Some(Parsed::ShowStreams));
    }
    if keyword(at(0), "DESCRIBE") || keyword(at(0), "DESC") {
        let table = name_of(at(1))
            .ok_or_else(|| SqlError::InvalidRequest("DESCRIBE needs a table name".into()))?;
        expect_end(2, "DESCRIBE <table>")?;
        return Ok(Some(Parsed::Describe(table)));
    }
    if keyword(at(0), "HISTORY") && keyword(at(1), "OF") {
        let table = name_of(at(2))
            .ok_or_else(|| SqlError::InvalidRequest("HISTORY OF needs a table name".into()))?;
        expect_end(3, "HISTORY OF <table>")?;
        return Ok(Some(Parsed::History(table)));
    }
    if keyword(at(0), "ALTER")
        && keyword(at(1), "TABLE")
        && keyword(at(3), "SET")
        && keyword(at(4), "RETENTION")
    {
        let table = name_of(at(2))
            .ok_or_else(|| SqlError::InvalidRequest("ALTER TABLE needs a table name".into()))?;
        let count: u64 = match at(5) {
            Some(Token::Number(number, _)) => number.parse().ok(),
            _ => None,
        }
        .ok_or_else(|| SqlError::InvalidRequest("SET RETENTION needs a whole number".into()))?;
        let unit_ns = if keyword(at(6), "DAYS") || keyword(at(6), "DAY") {
            NANOS_PER_DAY
        } else if keyword(at(6), "YEARS") || keyword(at(6), "YEAR") {
            NANOS_PER_DAY * 365
        } else {
            return Err(SqlError::InvalidRequest(
                "SET RETENTION <n> takes DAYS or YEARS".into(),
            ));
        };
        expect_end(7, "SET RETENTION <n> DAYS|YEARS")?;
        return Ok(Some(Parsed::SetRetention {
            table,
            min_history_ns: count.saturating_mul(unit_ns),
        }));
    }
    Ok(None)
}

/// Removes every time-travel clause from `tokens`; all must name one time.
fn take_time_travel(
    tokens: Vec<TokenWithSpan>,
) -> Result<(Vec<TokenWithSpan>, Option<TimeTravel>), SqlError> {
    let has_clause = tokens.iter().any(|token| {
        matches!(&token.token, Token::Word(word)
            if word.value.eq_ignore_ascii_case("OF") || word.value.eq_ignore_ascii_case("OFFSET"))
    });
    if !has_clause {
        return Ok((tokens, None));
    }
    let mut kept: Vec<TokenWithSpan> = Vec::with_capacity(tokens.len());
    let mut time: Option<TimeTravel> = None;
    let mut index = 0;
    while index < tokens.len() {
        if let Some((found, length)) = time_clause(&tokens[index..])? {
            if time.is_some_and(|earlier| earlier != found) {
                return Err(SqlError::Unsupported(
                    "different AS OF times in one query".to_owned(),
                ));
            }
            time = Some(found);
            while matches!(
                kept.last().map(|token| &token.token),
                Some(Token::Whitespace(_))
            ) {
                kept.pop();
            }
            kept.push(TokenWithSpan::new(
                Token::Whitespace(Whitespace::Space),
                Span::empty(),
            ));
            index += length;
        } else {
            kept.push(tokens[index].clone());
            index += 1;
        }
    }
    Ok((kept, time))
}

/// A time-travel clause starting at `tokens[0]`: the time and how many
/// tokens it spans.
fn time_clause(tokens: &[TokenWithSpan]) -> Result<Option<(TimeTravel, usize)>, SqlError> {
    if !matches!(&tokens[0].token, Token::Word(word)
        if ["AS", "FOR", "AT"].iter().any(|w| word.value.eq_ignore_ascii_case(w)))
    {
        return Ok(None);
    }
    let mut positions = Vec::new();
    for (index, token) in tokens.iter().enumerate() {
        if !matches!(token.token, Token::Whitespace(_)) {
            positions.push(index);
            if positions.len() == 6 {
                break;
            }
        }
    }
    let word = |n: usize, expected: &str| {
        positions
            .get(n)
            .is_some_and(|index| keyword(Some(&&tokens[*index].token), expected))
    };
    let timestamp_at = |n: usize| -> Result<Option<(TimeTravel, usize)>, SqlError> {
        let Some(index) = positions.get(n) else {
            return Ok(None);
        };
        match &tokens[*index].token {
            Token::SingleQuotedString(text) => {
                let nanos = parse_timestamp_ns(text).ok_or_else(|| {
                    SqlError::InvalidRequest(format!(
                        "AS OF: {text:?} is not a timestamp (RFC 3339 or YYYY-MM-DD HH:MM:SS)"
                    ))
                })?;
                Ok(Some((TimeTravel::Timestamp(nanos), index + 1)))
            }
            _ => Ok(None),
        }
    };
    if word(0, "AS") && word(1, "OF") && word(2, "TIMESTAMP") {
        return timestamp_at(3);
    }
    if word(0, "FOR") && word(1, "SYSTEM_TIME") && word(2, "AS") && word(3, "OF") {
        if word(4, "TIMESTAMP") {
            return timestamp_at(5);
        }
        return timestamp_at(4);
    }
    if word(0, "AT") && word(1, "OFFSET") {
        if let Some(index) = positions.get(2) {
            if let Token::Number(number, _) = &tokens[*index].token {
                let offset = number.parse().map_err(|_| {
                    SqlError::InvalidRequest(format!("AT OFFSET {number}: not a position"))
                })?;
                return Ok(Some((TimeTravel::Offset(offset), index + 1)));
            }
        }
    }
    Ok(None)
}
