//! Where a test leaves what a person would want to look at after a run (screenshots, the app's
//! log, the D-Bus capture): `<target dir>/e2e-artifacts/<test name>/`, outside the source tree.

use anyhow::{Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Artifacts {
    dir: PathBuf,
}

impl Artifacts {
    /// A fresh folder for `test` (last run's files for it are removed).
    pub fn for_test(root: &Path, test: &str) -> Result<Artifacts> {
        let dir = root.join(test);
        if dir.exists() {
            std::fs::remove_dir_all(&dir).with_context(|| format!("clearing {}", dir.display()))?;
        }
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        Ok(Artifacts { dir })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    pub fn save(&self, name: &str, bytes: &[u8]) -> Result<PathBuf> {
        let p = self.path(name);
        std::fs::write(&p, bytes).with_context(|| format!("writing {}", p.display()))?;
        Ok(p)
    }

    /// The whole X screen (the window and any notification popup) with ImageMagick's `import`.
    /// /usr/bin, not whatever is first on PATH: a locally built ImageMagick may lack X support.
    pub fn capture_screen(&self, name: &str) -> Result<PathBuf> {
        let p = self.path(name);
        let out = Command::new("/usr/bin/import")
            .args(["-window", "root"])
            .arg(&p)
            .output()
            .context("running /usr/bin/import (package imagemagick)")?;
        if !out.status.success() {
            anyhow::bail!(
                "import -window root failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        Ok(p)
    }
}
