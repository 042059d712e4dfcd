//! A thin SQLite VFS over the platform's own that hands each commit's WAL frames to the OS in
//! one write.
//!
//! SQLite writes a WAL frame as two `pwrite`s (its 24-byte header, then the page), so a commit
//! that dirties a hundred pages costs two hundred system calls, each of them a partial-page write
//! into the page cache. On Linux that is about 5 µs a frame against 0.3–1.2 µs when the same
//! bytes go down in one call, and under a burst of events it was most of the writer's time.
//!
//! Writes to a WAL file are gathered while they are contiguous and handed to the OS:
//! - as soon as the commit frame (a frame header whose "database size" field is set: the WAL
//!   format's commit marker) has its page, so a commit is in the OS before SQLite makes it
//!   visible to other connections or returns from `COMMIT` — exactly as without this layer;
//! - before any other operation on that file (read, sync, truncate, size, close, ...), so SQLite
//!   never sees a file that lags its own writes;
//! - when the next write is not contiguous, or the gathered bytes pass [`LIMIT`].
//!
//! Every other file (the database, its shared memory) goes straight through.

use rusqlite::ffi;
use std::ffi::{c_int, c_void, CStr};
use std::sync::OnceLock;

/// The registered name: `Connection::open_with_flags_and_vfs(…, VFS_NAME)`.
pub const VFS_NAME: &CStr = c"taskbell-wal";

/// Gathered bytes are handed over at this size even mid-commit (a huge transaction).
const LIMIT: usize = 4 << 20;

/// The most handed to the platform VFS in one write: the unix VFS masks a write's length to
/// 17 bits (`nBuf &= 0x1ffff`), so a longer one would be cut short.
const CHUNK: usize = 120 << 10;

/// The frame header's size in the WAL format; nothing else SQLite writes to a WAL is this long.
const FRAME_HEADER: usize = 24;

struct Gathered {
    start: i64,
    bytes: Vec<u8>,
    commit_frame: bool,
}

/// The file SQLite holds: our methods, then (for a WAL) what is gathered, then the platform
/// VFS's own file, which SQLite sized for us through `szOsFile`.
#[repr(C)]
struct Shim {
    base: ffi::sqlite3_file,
    gathered: *mut Gathered,
}

struct Registered {
    inner: *mut ffi::sqlite3_vfs,
}

// The registered VFS and the platform's are immutable once set up and live for the process.
unsafe impl Send for Registered {}
unsafe impl Sync for Registered {}

static REGISTERED: OnceLock<Result<Registered, c_int>> = OnceLock::new();

/// Registers the VFS once per process. Returns SQLite's error code if that failed.
pub fn register() -> Result<(), c_int> {
    REGISTERED
        .get_or_init(|| unsafe {
            let inner = ffi::sqlite3_vfs_find(std::ptr::null());
            if inner.is_null() {
                return Err(ffi::SQLITE_ERROR);
            }
            let mut vfs: ffi::sqlite3_vfs = std::ptr::read(inner);
            vfs.zName = VFS_NAME.as_ptr();
            vfs.szOsFile = (std::mem::size_of::<Shim>() + (*inner).szOsFile as usize) as c_int;
            vfs.xOpen = Some(open);
            vfs.pNext = std::ptr::null_mut();
            // SQLite keeps the pointer for the life of the process.
            let vfs = Box::into_raw(Box::new(vfs));
            match ffi::sqlite3_vfs_register(vfs, 0) {
                ffi::SQLITE_OK => Ok(Registered { inner }),
                rc => Err(rc),
            }
        })
        .as_ref()
        .map(|_| ())
        .map_err(|rc| *rc)
}

fn inner_vfs() -> *mut ffi::sqlite3_vfs {
    match REGISTERED.get() {
        Some(Ok(r)) => r.inner,
        _ => std::ptr::null_mut(),
    }
}

unsafe fn inner(file: *mut ffi::sqlite3_file) -> *mut ffi::sqlite3_file {
    (file as *mut u8).add(std::mem::size_of::<Shim>()) as *mut ffi::sqlite3_file
}

unsafe fn methods(file: *mut ffi::sqlite3_file) -> &'static ffi::sqlite3_io_methods {
    &*(*inner(file)).pMethods
}

unsafe extern "C" fn open(
    _vfs: *mut ffi::sqlite3_vfs,
    name: ffi::sqlite3_filename,
    file: *mut ffi::sqlite3_file,
    flags: c_int,
    out_flags: *mut c_int,
) -> c_int {
    let shim = file as *mut Shim;
    (*shim).base.pMethods = std::ptr::null();
    (*shim).gathered = std::ptr::null_mut();
    let vfs = inner_vfs();
    let Some(xopen) = vfs.as_ref().and_then(|v| v.xOpen) else { return ffi::SQLITE_ERROR };
    let rc = xopen(vfs, name, inner(file), flags, out_flags);
    // SQLite calls xClose only on a file whose pMethods is set: leave it null on failure.
    if rc != ffi::SQLITE_OK || (*inner(file)).pMethods.is_null() {
        return rc;
    }
    if flags & ffi::SQLITE_OPEN_WAL != 0 {
        let g = Gathered { start: 0, bytes: Vec::new(), commit_frame: false };
        (*shim).gathered = Box::into_raw(Box::new(g));
    }
    (*shim).base.pMethods = &METHODS;
    rc
}

/// Hands what is gathered to the platform file. On failure the gathered bytes are dropped:
/// they belong to the transaction the error is about to roll back.
unsafe fn flush(file: *mut ffi::sqlite3_file) -> c_int {
    let g = (*(file as *mut Shim)).gathered;
    if g.is_null() || (*g).bytes.is_empty() {
        return ffi::SQLITE_OK;
    }
    let g = &mut *g;
    let xwrite = methods(file).xWrite.expect("every VFS writes");
    let mut rc = ffi::SQLITE_OK;
    let mut at = g.start;
    for chunk in g.bytes.chunks(CHUNK) {
        rc = xwrite(inner(file), chunk.as_ptr() as *const c_void, chunk.len() as c_int, at);
        if rc != ffi::SQLITE_OK {
            break;
        }
        at += chunk.len() as i64;
    }
    g.bytes.clear();
    g.commit_frame = false;
    rc
}

unsafe extern "C" fn write(file: *mut ffi::sqlite3_file, buf: *const c_void, amt: c_int, offset: i64) -> c_int {
    let g = (*(file as *mut Shim)).gathered;
    if g.is_null() {
        return methods(file).xWrite.expect("every VFS writes")(inner(file), buf, amt, offset);
    }
    let data = std::slice::from_raw_parts(buf as *const u8, amt as usize);
    if !(*g).bytes.is_empty() && offset != (*g).start + (*g).bytes.len() as i64 {
        let rc = flush(file);
        if rc != ffi::SQLITE_OK {
            return rc;
        }
    }
    let g = &mut *g;
    if g.bytes.is_empty() {
        g.start = offset;
    }
    g.bytes.extend_from_slice(data);
    let completes_commit = if data.len() == FRAME_HEADER {
        // Bytes 4..8 of a frame header: the database size after a commit, zero otherwise.
        g.commit_frame = data[4..8] != [0, 0, 0, 0];
        false
    } else {
        std::mem::take(&mut g.commit_frame)
    };
    if completes_commit || g.bytes.len() >= LIMIT {
        return flush(file);
    }
    ffi::SQLITE_OK
}

unsafe extern "C" fn close(file: *mut ffi::sqlite3_file) -> c_int {
    let flushed = flush(file);
    let shim = file as *mut Shim;
    if !(*shim).gathered.is_null() {
        drop(Box::from_raw((*shim).gathered));
        (*shim).gathered = std::ptr::null_mut();
    }
    let closed = methods(file).xClose.expect("every VFS closes")(inner(file));
    if flushed != ffi::SQLITE_OK {
        flushed
    } else {
        closed
    }
}

/// Generates a method that hands over what is gathered, then forwards the call.
/// Generates a method that hands over what is gathered, then forwards the call. Methods that a
/// platform file of an older `iVersion` lacks (its struct ends before them) answer `$absent`.
macro_rules! after_flush {
    ($name:ident, $method:ident, $since:literal, $absent:expr, ($($arg:ident: $ty:ty),*)) => {
        unsafe extern "C" fn $name(file: *mut ffi::sqlite3_file, $($arg: $ty),*) -> c_int {
            let rc = flush(file);
            if rc != ffi::SQLITE_OK {
                return rc;
            }
            let m = methods(file);
            match m.$method.filter(|_| m.iVersion >= $since) {
                Some(f) => f(inner(file), $($arg),*),
                None => $absent,
            }
        }
    };
}

after_flush!(read, xRead, 1, ffi::SQLITE_IOERR_READ, (buf: *mut c_void, amt: c_int, offset: i64));
after_flush!(truncate, xTruncate, 1, ffi::SQLITE_IOERR_TRUNCATE, (size: i64));
after_flush!(sync, xSync, 1, ffi::SQLITE_IOERR_FSYNC, (flags: c_int));
after_flush!(file_size, xFileSize, 1, ffi::SQLITE_IOERR_FSTAT, (size: *mut i64));
after_flush!(lock, xLock, 1, ffi::SQLITE_IOERR_LOCK, (level: c_int));
after_flush!(unlock, xUnlock, 1, ffi::SQLITE_IOERR_UNLOCK, (level: c_int));
after_flush!(check_reserved_lock, xCheckReservedLock, 1, ffi::SQLITE_IOERR_CHECKRESERVEDLOCK, (out: *mut c_int));
after_flush!(file_control, xFileControl, 1, ffi::SQLITE_NOTFOUND, (op: c_int, arg: *mut c_void));
after_flush!(shm_map, xShmMap, 2, ffi::SQLITE_IOERR_SHMMAP, (page: c_int, size: c_int, extend: c_int, out: *mut *mut c_void));
after_flush!(shm_lock, xShmLock, 2, ffi::SQLITE_IOERR_SHMLOCK, (offset: c_int, n: c_int, flags: c_int));
after_flush!(shm_unmap, xShmUnmap, 2, ffi::SQLITE_OK, (delete: c_int));
after_flush!(fetch, xFetch, 3, { *out = std::ptr::null_mut(); ffi::SQLITE_OK }, (offset: i64, amt: c_int, out: *mut *mut c_void));
after_flush!(unfetch, xUnfetch, 3, ffi::SQLITE_OK, (offset: i64, p: *mut c_void));

unsafe extern "C" fn sector_size(file: *mut ffi::sqlite3_file) -> c_int {
    methods(file).xSectorSize.map_or(4096, |f| f(inner(file)))
}

unsafe extern "C" fn device_characteristics(file: *mut ffi::sqlite3_file) -> c_int {
    methods(file).xDeviceCharacteristics.map_or(0, |f| f(inner(file)))
}

unsafe extern "C" fn shm_barrier(file: *mut ffi::sqlite3_file) {
    flush(file);
    let m = methods(file);
    if let Some(f) = m.xShmBarrier.filter(|_| m.iVersion >= 2) {
        f(inner(file))
    }
}

static METHODS: ffi::sqlite3_io_methods = ffi::sqlite3_io_methods {
    iVersion: 3,
    xClose: Some(close),
    xRead: Some(read),
    xWrite: Some(write),
    xTruncate: Some(truncate),
    xSync: Some(sync),
    xFileSize: Some(file_size),
    xLock: Some(lock),
    xUnlock: Some(unlock),
    xCheckReservedLock: Some(check_reserved_lock),
    xFileControl: Some(file_control),
    xSectorSize: Some(sector_size),
    xDeviceCharacteristics: Some(device_characteristics),
    xShmMap: Some(shm_map),
    xShmLock: Some(shm_lock),
    xShmBarrier: Some(shm_barrier),
    xShmUnmap: Some(shm_unmap),
    xFetch: Some(fetch),
    xUnfetch: Some(unfetch),
};

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::{Connection, OpenFlags};

    fn open(path: &std::path::Path) -> Connection {
        register().expect("registered");
        let c = Connection::open_with_flags_and_vfs(path, OpenFlags::default(), VFS_NAME.to_str().unwrap()).expect("open");
        c.pragma_update(None, "journal_mode", "WAL").unwrap();
        c
    }

    fn count(c: &Connection) -> i64 {
        c.query_row("SELECT count(*) FROM t", [], |r| r.get(0)).unwrap()
    }

    fn integrity(c: &Connection) -> String {
        c.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap()
    }

    #[test]
    fn commits_are_visible_to_a_plain_connection() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let c = open(&path);
        c.execute_batch("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)").unwrap();
        for i in 0..100 {
            c.execute("INSERT INTO t (v) VALUES (?1)", [format!("row {i}")]).unwrap();
        }
        let plain = Connection::open(&path).unwrap();
        let n: i64 = plain.query_row("SELECT count(*) FROM t", [], |r| r.get(0)).unwrap();
        assert_eq!(n, 100);
    }

    /// A transaction far larger than the page cache spills frames mid-transaction, rewrites some
    /// of them in place, and passes both the chunk and the gathering limit.
    #[test]
    fn a_huge_transaction_with_spills_commits_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let c = open(&path);
        c.pragma_update(None, "cache_size", 20).unwrap();
        c.execute_batch("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT); CREATE INDEX t_v ON t (v)").unwrap();
        c.execute_batch("BEGIN").unwrap();
        for i in 0..20_000 {
            c.execute("INSERT INTO t (v) VALUES (?1)", [format!("{:x}-{i}-{}", i * 7919 % 10_007, "x".repeat(200))]).unwrap();
        }
        c.execute("UPDATE t SET v = v || '!' WHERE k % 3 = 0", []).unwrap();
        c.execute_batch("COMMIT").unwrap();
        assert!(std::fs::metadata(dir.path().join("t.db-wal")).unwrap().len() > LIMIT as u64);
        let plain = Connection::open(&path).unwrap();
        assert_eq!(count(&plain), 20_000);
        let marked: i64 = plain.query_row("SELECT count(*) FROM t WHERE v LIKE '%!'", [], |r| r.get(0)).unwrap();
        assert_eq!(marked, 6_666);
        assert_eq!(integrity(&plain), "ok");
    }

    #[test]
    fn a_rolled_back_transaction_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let c = open(&path);
        c.pragma_update(None, "cache_size", 20).unwrap();
        c.execute_batch("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)").unwrap();
        c.execute("INSERT INTO t (v) VALUES ('kept')", []).unwrap();
        c.execute_batch("BEGIN").unwrap();
        for i in 0..5_000 {
            c.execute("INSERT INTO t (v) VALUES (?1)", [format!("gone {i}")]).unwrap();
        }
        c.execute_batch("ROLLBACK").unwrap();
        c.execute("INSERT INTO t (v) VALUES ('after')", []).unwrap();
        let plain = Connection::open(&path).unwrap();
        let rows: Vec<String> =
            plain.prepare("SELECT v FROM t ORDER BY k").unwrap().query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
        assert_eq!(rows, ["kept", "after"]);
        assert_eq!(integrity(&plain), "ok");
    }

    /// Readers and a checkpointer on connections of their own, as in the engine, only ever see
    /// whole commits while the writer goes on.
    #[test]
    fn concurrent_readers_and_checkpoints_see_whole_commits() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let c = open(&path);
        c.execute_batch("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)").unwrap();
        let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let watcher = {
            let (path, done) = (path.clone(), done.clone());
            std::thread::spawn(move || {
                let r = open(&path);
                let mut seen = 0;
                while !done.load(std::sync::atomic::Ordering::Relaxed) {
                    let n = count(&r);
                    assert_eq!(n % 10, 0, "a commit of ten rows was seen in part");
                    assert!(n >= seen);
                    seen = n;
                    r.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())).unwrap();
                }
            })
        };
        for batch in 0..300 {
            c.execute_batch("BEGIN IMMEDIATE").unwrap();
            for i in 0..10 {
                c.execute("INSERT INTO t (v) VALUES (?1)", [format!("{batch}/{i} {}", "x".repeat(300))]).unwrap();
            }
            c.execute_batch("COMMIT").unwrap();
        }
        done.store(true, std::sync::atomic::Ordering::Relaxed);
        watcher.join().unwrap();
        let plain = Connection::open(&path).unwrap();
        assert_eq!(count(&plain), 3_000);
        assert_eq!(integrity(&plain), "ok");
    }
}
