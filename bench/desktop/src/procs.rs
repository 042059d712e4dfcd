//! What /proc says about a process tree: its members (by parent pid, since WebKit's helper
//! processes are the app's children, not threads), their proportional memory, their CPU time.

use std::collections::HashMap;
use std::fs;

/// One line of /proc/<pid>/stat, the fields we use.
#[derive(Debug, Clone, PartialEq)]
pub struct Stat {
    pub pid: i32,
    pub comm: String,
    pub ppid: i32,
    /// utime + stime, in clock ticks.
    pub ticks: u64,
}

/// Parses /proc/<pid>/stat. The command name is in parentheses and may hold spaces or
/// parentheses itself, so the fields are counted from the last ')'.
pub fn parse_stat(line: &str) -> Option<Stat> {
    let open = line.find('(')?;
    let close = line.rfind(')')?;
    let pid = line[..open].trim().parse().ok()?;
    let comm = line[open + 1..close].to_string();
    // After the name: state(3) ppid(4) ... utime(14) stime(15), numbered as in proc(5).
    let rest: Vec<&str> = line[close + 1..].split_whitespace().collect();
    let field = |n: usize| rest.get(n - 3).and_then(|s| s.parse::<u64>().ok());
    Some(Stat {
        pid,
        comm,
        ppid: rest.get(1)?.parse().ok()?,
        ticks: field(14)? + field(15)?,
    })
}

pub fn all_stats() -> Vec<Stat> {
    let Ok(dir) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.flatten()
        .filter(|e| {
            e.file_name()
                .to_str()
                .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()))
        })
        .filter_map(|e| fs::read_to_string(e.path().join("stat")).ok())
        .filter_map(|s| parse_stat(&s))
        .collect()
}

/// `root` and every process descended from it that is alive now.
pub fn tree(root: i32) -> Vec<Stat> {
    let stats = all_stats();
    let mut children: HashMap<i32, Vec<&Stat>> = HashMap::new();
    for s in &stats {
        children.entry(s.ppid).or_default().push(s);
    }
    let mut out: Vec<Stat> = stats.iter().filter(|s| s.pid == root).cloned().collect();
    let mut i = 0;
    while i < out.len() {
        let pid = out[i].pid;
        out.extend(
            children
                .get(&pid)
                .into_iter()
                .flatten()
                .map(|s| (*s).clone()),
        );
        i += 1;
    }
    out
}

/// Proportional set size and its parts, in KiB, from /proc/<pid>/smaps_rollup, with RSS beside
/// it: a library page shared with N processes counts 1/N in PSS, so PSS moves when unrelated
/// processes map the same libraries (another WebKit app, say), while RSS does not.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Pss {
    pub rss: u64,
    pub total: u64,
    pub anon: u64,
    pub file: u64,
    pub shmem: u64,
}

impl std::ops::AddAssign for Pss {
    fn add_assign(&mut self, o: Pss) {
        self.rss += o.rss;
        self.total += o.total;
        self.anon += o.anon;
        self.file += o.file;
        self.shmem += o.shmem;
    }
}

pub fn parse_rollup(text: &str) -> Pss {
    let mut p = Pss::default();
    for line in text.lines() {
        let mut parts = line.split_whitespace();
        let (Some(key), Some(kb)) = (
            parts.next(),
            parts.next().and_then(|v| v.parse::<u64>().ok()),
        ) else {
            continue;
        };
        match key {
            "Rss:" => p.rss = kb,
            "Pss:" => p.total = kb,
            "Pss_Anon:" => p.anon = kb,
            "Pss_File:" => p.file = kb,
            "Pss_Shmem:" => p.shmem = kb,
            _ => {}
        }
    }
    p
}

/// None when the process is gone (or not ours to read).
pub fn pss(pid: i32) -> Option<Pss> {
    fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))
        .ok()
        .map(|t| parse_rollup(&t))
}

/// PSS in KiB by what is mapped (a file's path, "[heap]", "[anon]"), largest first: where the
/// memory goes.
pub fn pss_by_mapping(pid: i32) -> Vec<(String, u64)> {
    let Ok(text) = fs::read_to_string(format!("/proc/{pid}/smaps")) else {
        return Vec::new();
    };
    by_mapping(&text)
}

pub fn by_mapping(smaps: &str) -> Vec<(String, u64)> {
    let mut sums: HashMap<String, u64> = HashMap::new();
    let mut name = String::new();
    for line in smaps.lines() {
        let mut parts = line.split_whitespace();
        let Some(first) = parts.next() else { continue };
        if first.contains('-') && !first.ends_with(':') {
            // A mapping's header: range perms offset dev inode [path]; the path may hold spaces.
            name = line
                .split_whitespace()
                .skip(5)
                .collect::<Vec<_>>()
                .join(" ");
            if name.is_empty() {
                name = "[anon]".into();
            }
        } else if first == "Pss:" {
            *sums.entry(name.clone()).or_default() += parts
                .next()
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(0);
        }
    }
    let mut v: Vec<_> = sums.into_iter().filter(|(_, kb)| *kb > 0).collect();
    v.sort_by_key(|e| std::cmp::Reverse(e.1));
    v
}

pub fn threads(pid: i32) -> Option<u32> {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("Threads:"))
        .and_then(|v| v.trim().parse().ok())
}

/// One thread's context switches so far, from /proc/<pid>/task/<tid>/status: each one is the
/// thread going to sleep or being put aside, so over an idle period they count its wakeups.
#[derive(Debug, Clone, PartialEq)]
pub struct ThreadSwitches {
    pub pid: i32,
    pub tid: i32,
    /// The thread's name (`Name:`), as the app or its libraries set it.
    pub name: String,
    /// voluntary_ctxt_switches + nonvoluntary_ctxt_switches.
    pub switches: u64,
}

/// The name and the switch count a thread's status file gives.
pub fn parse_switches(status: &str) -> Option<(String, u64)> {
    let field = |key: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .map(str::trim)
    };
    let count = |key: &str| field(key).and_then(|v| v.parse::<u64>().ok());
    Some((
        field("Name:")?.to_string(),
        count("voluntary_ctxt_switches:")? + count("nonvoluntary_ctxt_switches:")?,
    ))
}

/// Every thread of every process in `tree`, with its switches so far. A thread that ends
/// between the listing and the read is left out.
pub fn thread_switches(tree: &[Stat]) -> Vec<ThreadSwitches> {
    let mut out = Vec::new();
    for s in tree {
        let Ok(dir) = fs::read_dir(format!("/proc/{}/task", s.pid)) else {
            continue;
        };
        for e in dir.flatten() {
            let Some(tid) = e.file_name().to_str().and_then(|n| n.parse::<i32>().ok()) else {
                continue;
            };
            let Ok(status) = fs::read_to_string(e.path().join("status")) else {
                continue;
            };
            if let Some((name, switches)) = parse_switches(&status) {
                out.push(ThreadSwitches {
                    pid: s.pid,
                    tid,
                    name,
                    switches,
                });
            }
        }
    }
    out
}

pub fn clock_ticks_per_sec() -> u64 {
    // SAFETY: sysconf only reads a configuration value.
    let t = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if t > 0 {
        t as u64
    } else {
        100
    }
}

/// CPU ticks a tree used between two looks: each process's growth, and the whole of any process
/// that appeared in between (one that vanished takes its ticks with it, which an idle tree
/// should not do).
pub fn ticks_between(before: &[Stat], after: &[Stat]) -> u64 {
    let earlier: HashMap<i32, u64> = before.iter().map(|s| (s.pid, s.ticks)).collect();
    after
        .iter()
        .map(|s| {
            s.ticks
                .saturating_sub(earlier.get(&s.pid).copied().unwrap_or(0))
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_fields_are_counted_from_the_last_parenthesis() {
        let line = "4242 (Web (Content) x) S 4200 4242 4242 0 -1 4194560 1000 0 0 0 37 12 0 0 20 0 25 0 500 0 0";
        let s = parse_stat(line).expect("parses");
        assert_eq!(
            (s.pid, s.comm.as_str(), s.ppid, s.ticks),
            (4242, "Web (Content) x", 4200, 49)
        );
    }

    #[test]
    fn rollup_keeps_the_proportional_lines() {
        let text = "55a0-7ff [rollup]\nRss:  90000 kB\nPss:  61234 kB\nPss_Dirty: 1 kB\nPss_Anon: 40000 kB\nPss_File: 20000 kB\nPss_Shmem: 1234 kB\n";
        assert_eq!(
            parse_rollup(text),
            Pss {
                rss: 90000,
                total: 61234,
                anon: 40000,
                file: 20000,
                shmem: 1234
            }
        );
    }

    #[test]
    fn mappings_are_summed_by_name() {
        let smaps = "\
7f00-7f10 r-xp 00000000 fe:01 123 /usr/lib/libLLVM-15.so.1
Rss: 10 kB
Pss: 8 kB
7f10-7f20 r--p 00010000 fe:01 123 /usr/lib/libLLVM-15.so.1
Pss: 4 kB
7f20-7f30 rw-p 00000000 00:00 0
Pss: 3 kB
";
        assert_eq!(
            by_mapping(smaps),
            vec![
                ("/usr/lib/libLLVM-15.so.1".to_string(), 12),
                ("[anon]".to_string(), 3)
            ]
        );
    }

    #[test]
    fn switches_are_voluntary_plus_involuntary() {
        let status = "Name:\ttokio-runtime-w\nState:\tS (sleeping)\nvoluntary_ctxt_switches:\t120\nnonvoluntary_ctxt_switches:\t7\n";
        assert_eq!(
            parse_switches(status),
            Some(("tokio-runtime-w".to_string(), 127))
        );
        assert_eq!(parse_switches("Name:\tx\n"), None);
    }

    #[test]
    fn ticks_count_growth_and_newcomers() {
        let s = |pid, ticks| Stat {
            pid,
            comm: String::new(),
            ppid: 1,
            ticks,
        };
        assert_eq!(ticks_between(&[s(1, 10), s(2, 5)], &[s(1, 13), s(3, 4)]), 7);
    }
}
