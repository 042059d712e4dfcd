//! The log file support asks for: `taskbell.log` in the data directory's `logs/`, cut at a size
//! and kept as a few numbered older files, so a workstation that runs for months never fills its
//! disk and the last hours are always there. Rotation is by size, not by day: a quiet week and
//! a busy hour should both leave enough lines to read.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

pub const FILE_NAME: &str = "taskbell.log";
/// A file is cut once it reaches this many bytes.
pub const MAX_BYTES: u64 = 2 << 20;
/// Older files kept beside the current one: `taskbell.log.1` (newest) to `taskbell.log.4`.
pub const KEEP: usize = 4;

/// Where the app's data lives when `TASKBELL_DATA_DIR` does not say: the XDG data directory
/// under the app's identifier, as Tauri's `app_data_dir` resolves it on Linux.
pub fn default_data_dir(identifier: &str) -> Option<PathBuf> {
    let from_env = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute());
    let base = from_env
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))?;
    Some(base.join(identifier))
}

/// The log file inside a data directory.
pub fn path_in(data_dir: &Path) -> PathBuf {
    data_dir.join("logs").join(FILE_NAME)
}

/// Appends to `path`; before a write would take it past `max_bytes`, the file becomes `.1`,
/// `.1` becomes `.2`, and so on, the oldest beyond `keep` being dropped.
pub struct RotatingFile {
    path: PathBuf,
    max_bytes: u64,
    keep: usize,
    file: File,
    written: u64,
}

impl RotatingFile {
    pub fn open(path: &Path) -> io::Result<RotatingFile> {
        RotatingFile::with_limits(path, MAX_BYTES, KEEP)
    }

    pub fn with_limits(path: &Path, max_bytes: u64, keep: usize) -> io::Result<RotatingFile> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let file = open_append(path)?;
        let written = file.metadata()?.len();
        Ok(RotatingFile {
            path: path.to_path_buf(),
            max_bytes,
            keep,
            file,
            written,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn rotate(&mut self) -> io::Result<()> {
        self.file.flush()?;
        for n in (1..self.keep).rev() {
            let from = numbered(&self.path, n);
            if from.exists() {
                std::fs::rename(&from, numbered(&self.path, n + 1))?;
            }
        }
        if self.keep == 0 {
            std::fs::remove_file(&self.path)?;
        } else {
            std::fs::rename(&self.path, numbered(&self.path, 1))?;
        }
        self.file = open_append(&self.path)?;
        self.written = 0;
        Ok(())
    }
}

/// `taskbell.log.N`, N = 1 being the newest older file.
pub fn numbered(path: &Path, n: usize) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(format!(".{n}"));
    PathBuf::from(name)
}

/// Readable by this user only: at debug level a log may hold patient data.
fn open_append(path: &Path) -> io::Result<File> {
    OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(path)
}

impl Write for RotatingFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.written > 0 && self.written + buf.len() as u64 > self.max_bytes {
            self.rotate()?;
        }
        let n = self.file.write(buf)?;
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

/// The last `n` lines across the current file and its older ones, oldest first.
pub fn last_lines(path: &Path, n: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let files =
        std::iter::once(path.to_path_buf()).chain((1..=KEEP.max(1)).map(|i| numbered(path, i)));
    for file in files {
        if lines.len() >= n {
            break;
        }
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        let mut older: Vec<String> = text.lines().map(str::to_owned).collect();
        older.append(&mut lines);
        lines = older;
    }
    let skip = lines.len().saturating_sub(n);
    lines.split_off(skip)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_lines(f: &mut RotatingFile, from: usize, to: usize) {
        for i in from..to {
            writeln!(f, "line {i:04}").expect("write");
        }
    }

    #[test]
    fn a_full_file_moves_aside_and_only_the_kept_number_remain() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("logs").join(FILE_NAME);
        // Each line is 10 bytes: five fit in 50.
        let mut f = RotatingFile::with_limits(&path, 50, 2).expect("open");
        write_lines(&mut f, 0, 23);
        assert_eq!(
            std::fs::read_to_string(&path).expect("current"),
            "line 0020\nline 0021\nline 0022\n"
        );
        assert!(std::fs::read_to_string(numbered(&path, 1))
            .expect(".1")
            .starts_with("line 0015\n"));
        assert!(std::fs::read_to_string(numbered(&path, 2))
            .expect(".2")
            .starts_with("line 0010\n"));
        assert!(
            !numbered(&path, 3).exists(),
            "only two older files are kept"
        );
        for p in [path.clone(), numbered(&path, 1), numbered(&path, 2)] {
            assert!(std::fs::metadata(&p).expect("size").len() <= 50);
        }
    }

    #[test]
    fn reopening_counts_what_is_already_there() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join(FILE_NAME);
        write_lines(
            &mut RotatingFile::with_limits(&path, 50, 2).expect("open"),
            0,
            4,
        );
        write_lines(
            &mut RotatingFile::with_limits(&path, 50, 2).expect("reopen"),
            4,
            6,
        );
        assert_eq!(
            std::fs::read_to_string(numbered(&path, 1))
                .expect(".1")
                .lines()
                .count(),
            5
        );
        assert_eq!(
            std::fs::read_to_string(&path).expect("current"),
            "line 0005\n"
        );
    }

    #[test]
    fn the_last_lines_reach_into_the_older_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join(FILE_NAME);
        write_lines(
            &mut RotatingFile::with_limits(&path, 50, 3).expect("open"),
            0,
            12,
        );
        let last = last_lines(&path, 4);
        assert_eq!(last, ["line 0008", "line 0009", "line 0010", "line 0011"]);
        assert_eq!(last_lines(&path, 100).len(), 12);
        assert!(last_lines(&dir.path().join("none.log"), 10).is_empty());
    }

    #[test]
    fn the_file_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join(FILE_NAME);
        RotatingFile::open(&path).expect("open");
        assert_eq!(
            std::fs::metadata(&path).expect("meta").permissions().mode() & 0o777,
            0o600
        );
    }
}
