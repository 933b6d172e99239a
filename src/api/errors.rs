//! Field paths and field errors worded as the API server words them (`field.ErrorList`),
//! and the input error that the command line reports with exit code 2.

use std::fmt;
use std::sync::Arc;

/// One step of a field path. Names are shared (`Arc<str>`): validation makes a path
/// for every field it looks at, and a child path copies its parent's steps; copying
/// their strings was a fifth of validating the Alibaba manifests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    Field(Arc<str>),
    Index(usize),
    Key(Arc<str>),
}

/// A field path such as `spec.containers[0].resources.requests.cpu`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldPath(Vec<Segment>);

impl FieldPath {
    pub fn root(name: &str) -> FieldPath {
        FieldPath(vec![Segment::Field(name.into())])
    }

    pub fn empty() -> FieldPath {
        FieldPath(Vec::new())
    }

    pub fn child(&self, name: &str) -> FieldPath {
        self.with(Segment::Field(name.into()))
    }

    pub fn index(&self, i: usize) -> FieldPath {
        self.with(Segment::Index(i))
    }

    pub fn key(&self, k: &str) -> FieldPath {
        self.with(Segment::Key(k.into()))
    }

    /// `self` followed by every segment of `rest`.
    pub fn join(&self, rest: &FieldPath) -> FieldPath {
        let mut out = self.clone();
        out.0.extend(rest.0.iter().cloned());
        out
    }

    fn with(&self, s: Segment) -> FieldPath {
        let mut steps = Vec::with_capacity(self.0.len() + 1);
        steps.extend_from_slice(&self.0);
        steps.push(s);
        FieldPath(steps)
    }

    pub fn segments(&self) -> &[Segment] {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<Vec<Segment>> for FieldPath {
    fn from(v: Vec<Segment>) -> Self {
        FieldPath(v)
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                Segment::Field(name) if i == 0 => f.write_str(name)?,
                Segment::Field(name) => write!(f, ".{name}")?,
                Segment::Index(n) => write!(f, "[{n}]")?,
                Segment::Key(k) => write!(f, "[{k}]")?,
            }
        }
        Ok(())
    }
}

/// One invalid field, with Kubernetes' wording of what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub path: FieldPath,
    pub message: String,
}

impl FieldError {
    pub fn new(path: FieldPath, message: impl Into<String>) -> FieldError {
        FieldError { path, message: message.into() }
    }

    pub fn required(path: FieldPath) -> FieldError {
        FieldError::new(path, "Required value")
    }

    pub fn required_because(path: FieldPath, why: &str) -> FieldError {
        FieldError::new(path, format!("Required value: {why}"))
    }

    pub fn invalid(path: FieldPath, value: impl fmt::Display, why: &str) -> FieldError {
        FieldError::new(path, format!("Invalid value: \"{value}\": {why}"))
    }

    pub fn invalid_number(path: FieldPath, value: i64, why: &str) -> FieldError {
        FieldError::new(path, format!("Invalid value: {value}: {why}"))
    }

    pub fn unsupported(path: FieldPath, value: &str, supported: &[&str]) -> FieldError {
        let list: Vec<String> = supported.iter().map(|s| format!("\"{s}\"")).collect();
        FieldError::new(path, format!("Unsupported value: \"{value}\": supported values: {}", list.join(", ")))
    }

    pub fn duplicate(path: FieldPath, value: &str) -> FieldError {
        FieldError::new(path, format!("Duplicate value: \"{value}\""))
    }

    pub fn forbidden(path: FieldPath, why: &str) -> FieldError {
        FieldError::new(path, format!("Forbidden: {why}"))
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// Bad input: where (file, line and column, field path) and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputError {
    pub file: String,
    /// 1-based line and column, where known.
    pub position: Option<(u64, u64)>,
    pub path: Option<FieldPath>,
    pub message: String,
}

impl InputError {
    pub fn new(file: &str, message: impl Into<String>) -> InputError {
        InputError { file: file.to_string(), position: None, path: None, message: message.into() }
    }

    pub fn at(mut self, position: Option<(u64, u64)>) -> InputError {
        self.position = position;
        self
    }

    pub fn with_path(mut self, path: FieldPath) -> InputError {
        self.path = (!path.is_empty()).then_some(path);
        self
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some((line, col)) = self.position {
            write!(f, ":{line}:{col}")?;
        }
        f.write_str(": ")?;
        if let Some(path) = &self.path {
            write!(f, "{path}: ")?;
        }
        f.write_str(&self.message)
    }
}
