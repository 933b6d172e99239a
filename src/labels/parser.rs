//! The `kubectl -l` selector syntax: lexer and recursive-descent parser.
//!
//! Upstream: `apimachinery/pkg/labels/selector.go` (`Lexer`, `Parser`,
//! `Parse`). The lexer works on bytes like Go's: only ASCII bytes are
//! special, so every other byte (including UTF-8) belongs to an identifier,
//! and a NUL byte ends the token it appears in. Error texts are Go's.

use std::collections::BTreeSet;

use super::errors::{FieldPath, SelectorError, aggregate};
use super::selector::{Operator, Requirement, Selector};
use super::validation::validate_label_key;

/// Lexer tokens (`labels.Token`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Token {
    /// Unreachable in practice: every single special byte is a token.
    Error,
    EndOfString,
    ClosedPar,
    Comma,
    DoesNotExist,
    DoubleEquals,
    Equals,
    GreaterThan,
    Identifier,
    In,
    LessThan,
    NotEquals,
    NotIn,
    OpenPar,
}

/// Go `isWhitespace`: only these four bytes separate tokens.
fn is_whitespace(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// Go `isSpecialSymbol`.
fn is_special_symbol(b: u8) -> bool {
    matches!(b, b'=' | b'!' | b'(' | b')' | b',' | b'>' | b'<')
}

/// Go `string2token` (keywords and operator symbols).
fn literal_token(literal: &str) -> Option<Token> {
    Some(match literal {
        ")" => Token::ClosedPar,
        "," => Token::Comma,
        "!" => Token::DoesNotExist,
        "==" => Token::DoubleEquals,
        "=" => Token::Equals,
        ">" => Token::GreaterThan,
        "in" => Token::In,
        "<" => Token::LessThan,
        "!=" => Token::NotEquals,
        "notin" => Token::NotIn,
        "(" => Token::OpenPar,
        _ => return None,
    })
}

pub(crate) struct Lexer<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Lexer<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Lexer { text, pos: 0 }
    }

    /// Next byte, or 0 at the end (Go `read`; a NUL byte reads as 0 too).
    fn read(&mut self) -> u8 {
        match self.text.as_bytes().get(self.pos) {
            Some(&b) => {
                self.pos += 1;
                b
            }
            None => 0,
        }
    }

    /// Only ever called right after a `read` that returned a real byte.
    fn unread(&mut self) {
        self.pos = self.pos.saturating_sub(1);
    }

    /// Positions are always next to ASCII bytes, hence char boundaries;
    /// `get` keeps this panic-free regardless.
    fn slice(&self, start: usize, end: usize) -> &'a str {
        self.text.get(start..end).unwrap_or("")
    }

    /// Go `Lex`: the next token and its literal.
    pub(crate) fn lex(&mut self) -> (Token, &'a str) {
        let mut ch = self.read();
        while is_whitespace(ch) {
            ch = self.read();
        }
        if ch == 0 {
            return (Token::EndOfString, "");
        }
        self.unread();
        if is_special_symbol(ch) { self.scan_special_symbol() } else { self.scan_id_or_keyword() }
    }

    /// Go `scanIDOrKeyword`: bytes up to a special symbol, whitespace or NUL.
    fn scan_id_or_keyword(&mut self) -> (Token, &'a str) {
        let start = self.pos;
        let end = loop {
            let before = self.pos;
            let ch = self.read();
            if ch == 0 {
                break before;
            }
            if is_special_symbol(ch) || is_whitespace(ch) {
                self.unread();
                break before;
            }
        };
        let literal = self.slice(start, end);
        (literal_token(literal).unwrap_or(Token::Identifier), literal)
    }

    /// Go `scanSpecialSymbol`: the longest run of special bytes that is a
    /// token (`!=` rather than `!`).
    fn scan_special_symbol(&mut self) -> (Token, &'a str) {
        let start = self.pos;
        let mut last: Option<(Token, usize)> = None;
        loop {
            let ch = self.read();
            if ch == 0 {
                break;
            }
            if !is_special_symbol(ch) {
                self.unread();
                break;
            }
            match literal_token(self.slice(start, self.pos)) {
                Some(token) => last = Some((token, self.pos)),
                None if last.is_some() => {
                    self.unread();
                    break;
                }
                None => {}
            }
        }
        match last {
            Some((token, end)) => (token, self.slice(start, end)),
            None => (Token::Error, self.slice(start, self.pos)),
        }
    }
}

/// Go `ParserContext`: inside value lists `in`/`notin` are plain identifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Context {
    KeyAndOperator,
    Values,
}

struct Parser<'a> {
    items: Vec<(Token, &'a str)>,
    position: usize,
}

/// The operator list in Go's "expected:" message (`binaryOperators`).
const BINARY_OPERATORS: &str = "in, notin, =, ==, !=, gt, lt";

impl<'a> Parser<'a> {
    /// Go `scan`: all tokens up to and including the end of string.
    fn new(selector: &'a str) -> Self {
        let mut lexer = Lexer::new(selector);
        let mut items = Vec::new();
        loop {
            let item = lexer.lex();
            items.push(item);
            if item.0 == Token::EndOfString {
                break;
            }
        }
        Parser { items, position: 0 }
    }

    fn lookahead(&self, context: Context) -> (Token, &'a str) {
        let item = self.items.get(self.position).copied();
        in_context(item.unwrap_or((Token::EndOfString, "")), context)
    }

    fn consume(&mut self, context: Context) -> (Token, &'a str) {
        let item = self.lookahead(context);
        self.position += 1;
        item
    }

    /// Go `parse`: `requirement ("," requirement)*`.
    fn parse(&mut self) -> Result<Vec<Requirement>, String> {
        let mut requirements = Vec::new();
        loop {
            let (token, literal) = self.lookahead(Context::Values);
            match token {
                Token::Identifier | Token::DoesNotExist => {
                    let r = self.parse_requirement().map_err(|e| format!("unable to parse requirement: {e}"))?;
                    requirements.push(r);
                    if self.end_of_requirement()? {
                        return Ok(requirements);
                    }
                }
                Token::EndOfString => return Ok(requirements),
                _ => {
                    return Err(format!("found '{literal}', expected: !, identifier, or 'end of string'"));
                }
            }
        }
    }

    /// After a requirement: end of string (`true`) or a comma followed by
    /// the start of another requirement (`false`).
    fn end_of_requirement(&mut self) -> Result<bool, String> {
        let (token, literal) = self.consume(Context::Values);
        match token {
            Token::EndOfString => Ok(true),
            Token::Comma => match self.lookahead(Context::Values) {
                (Token::Identifier | Token::DoesNotExist, _) => Ok(false),
                (_, next) => Err(format!("found '{next}', expected: identifier after ','")),
            },
            _ => Err(format!("found '{literal}', expected: ',' or 'end of string'")),
        }
    }

    /// Go `parseRequirement`.
    fn parse_requirement(&mut self) -> Result<Requirement, String> {
        let (key, inferred) = self.parse_key_and_infer_operator()?;
        if let Some(op @ (Operator::Exists | Operator::DoesNotExist)) = inferred {
            return new_requirement(key, op, Vec::new());
        }
        let operator = self.parse_operator()?;
        let values = match operator {
            Operator::In | Operator::NotIn => self.parse_values()?,
            _ => self.parse_exact_value()?,
        };
        new_requirement(key, operator, values.into_iter().map(String::from).collect())
    }

    /// Go `parseKeyAndInferOperator`: `[!]key`, inferring `Exists` when the
    /// key stands alone. A `!key` followed by more text stays
    /// `DoesNotExist` and the rest is rejected by the caller.
    fn parse_key_and_infer_operator(&mut self) -> Result<(&'a str, Option<Operator>), String> {
        let mut operator = None;
        let (mut token, mut literal) = self.consume(Context::Values);
        if token == Token::DoesNotExist {
            operator = Some(Operator::DoesNotExist);
            (token, literal) = self.consume(Context::Values);
        }
        if token != Token::Identifier {
            return Err(format!("found '{literal}', expected: identifier"));
        }
        if let Some(err) = validate_label_key(literal, &FieldPath::nil()) {
            return Err(err);
        }
        let (next, _) = self.lookahead(Context::Values);
        if matches!(next, Token::EndOfString | Token::Comma) && operator.is_none() {
            operator = Some(Operator::Exists);
        }
        Ok((literal, operator))
    }

    /// Go `parseOperator`.
    fn parse_operator(&mut self) -> Result<Operator, String> {
        let (token, literal) = self.consume(Context::KeyAndOperator);
        Ok(match token {
            Token::In => Operator::In,
            Token::Equals => Operator::Equals,
            Token::DoubleEquals => Operator::DoubleEquals,
            Token::GreaterThan => Operator::GreaterThan,
            Token::LessThan => Operator::LessThan,
            Token::NotIn => Operator::NotIn,
            Token::NotEquals => Operator::NotEquals,
            _ => return Err(format!("found '{literal}', expected: {BINARY_OPERATORS}")),
        })
    }

    /// Go `parseValues`: `( values )`; `()` is the set `{""}`.
    fn parse_values(&mut self) -> Result<BTreeSet<&'a str>, String> {
        let (token, literal) = self.consume(Context::Values);
        if token != Token::OpenPar {
            return Err(format!("found '{literal}' expected: '('"));
        }
        let (token, literal) = self.lookahead(Context::Values);
        match token {
            Token::Identifier | Token::Comma => {
                let values = self.parse_identifiers_list()?;
                // The list only returns once `)` is next.
                self.consume(Context::Values);
                Ok(values)
            }
            Token::ClosedPar => {
                self.consume(Context::Values);
                Ok(BTreeSet::from([""]))
            }
            _ => Err(format!("found '{literal}', expected: ',', ')' or identifier")),
        }
    }

    /// Go `parseIdentifiersList`: comma-separated, possibly empty values;
    /// stops before the closing parenthesis.
    fn parse_identifiers_list(&mut self) -> Result<BTreeSet<&'a str>, String> {
        let mut values = BTreeSet::new();
        loop {
            let (token, literal) = self.consume(Context::Values);
            match token {
                Token::Identifier => {
                    values.insert(literal);
                    match self.lookahead(Context::Values) {
                        (Token::Comma, _) => continue,
                        (Token::ClosedPar, _) => return Ok(values),
                        (_, next) => return Err(format!("found '{next}', expected: ',' or ')'")),
                    }
                }
                Token::Comma => {
                    // An empty value before the comma ("(,a)") or after it
                    // ("(a,)", "(a,,b)").
                    if values.is_empty() {
                        values.insert("");
                    }
                    match self.lookahead(Context::Values).0 {
                        Token::ClosedPar => {
                            values.insert("");
                            return Ok(values);
                        }
                        Token::Comma => {
                            values.insert("");
                        }
                        _ => {}
                    }
                }
                _ => return Err(format!("found '{literal}', expected: ',', or identifier")),
            }
        }
    }

    /// Go `parseExactValue`: one value; nothing before `,` or the end is `""`.
    fn parse_exact_value(&mut self) -> Result<BTreeSet<&'a str>, String> {
        let (token, _) = self.lookahead(Context::Values);
        if matches!(token, Token::EndOfString | Token::Comma) {
            return Ok(BTreeSet::from([""]));
        }
        let (token, literal) = self.consume(Context::Values);
        if token == Token::Identifier {
            Ok(BTreeSet::from([literal]))
        } else {
            Err(format!("found '{literal}', expected: identifier"))
        }
    }
}

fn in_context((token, literal): (Token, &str), context: Context) -> (Token, &str) {
    match (context, token) {
        (Context::Values, Token::In | Token::NotIn) => (Token::Identifier, literal),
        _ => (token, literal),
    }
}

/// `NewRequirement` with the nil path the parser uses, error aggregated.
fn new_requirement(key: &str, operator: Operator, values: Vec<String>) -> Result<Requirement, String> {
    Requirement::build(&FieldPath::nil(), key, operator, values).map_err(|errs| aggregate(errs).unwrap_or_default())
}

/// `labels.Parse`: requirements sorted by key; `""` selects everything.
pub(crate) fn parse(selector: &str) -> Result<Selector, SelectorError> {
    let requirements = Parser::new(selector).parse().map_err(SelectorError::new)?;
    Ok(Selector::from_requirements(requirements))
}
