//! Files: content-addressed blobs in an object store, and the `files` table that links
//! them to a dossier's component or result.
//!
//! A blob's key is the SHA-256 of its bytes (`blobs/ab/cd/abcd…`, sharded so no folder
//! grows huge), so the same scan uploaded twice is stored once and every copy can be
//! verified. The store is `object_store`'s: a local folder by default, and any S3-compatible
//! service by configuration, with the same code.
//!
//! An upload is checked while it streams in: the type is sniffed from the first bytes
//! (magic numbers, never the name), nothing is written unless the type is allowed, and the
//! size limit stops the stream as soon as it is passed. The bytes go to a staging key and
//! are renamed to their digest only when complete; the row (with the dossier's event) is
//! committed after that. So a blob may exist without a row but never a row without its
//! blob. A blob this upload created whose row was never committed (the upload was
//! refused after it was stored: not allowed, wrong state, over a limit, a failed commit) is
//! removed again by [`FileStore::discard_unused`], so refused uploads leave nothing behind.

use crate::dossiers::{Commit, write_one};
use crate::{Result, Store, StoreError, from_micros, to_micros};
use motcua_domain::dossier::FileRef;
use motcua_domain::dossier::files::media_type_allowed;
use object_store::local::LocalFileSystem;
use object_store::memory::InMemory;
use object_store::path::Path as Key;
use object_store::{ObjectStore, ObjectStoreExt, WriteMultipart};
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// How many leading bytes the type is judged on (the magic numbers sit well inside).
const SNIFF_BYTES: usize = 8192;
/// 20 MiB: a multi-page scan at 300 dpi fits; anything larger is a sign of a mistake.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 20 * 1024 * 1024;

/// Why an upload was not kept.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    #[error("the file is larger than {max} bytes")]
    TooLarge { max: u64 },
    #[error("the content is {sniffed:?}, which is not accepted")]
    TypeNotAllowed { sniffed: Option<String> },
    #[error("the file is empty")]
    Empty,
    #[error("object store: {0}")]
    Store(#[from] object_store::Error),
}

/// A blob as stored: its digest, size and sniffed type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blob {
    pub sha256: String,
    pub size: u64,
    pub media_type: String,
    /// Whether this upload put it there (no identical blob was stored before): only such
    /// a blob is this upload's to remove when its row is not committed.
    pub created: bool,
}

/// The object store for files. Cheap to clone.
#[derive(Clone, Debug)]
pub struct FileStore {
    objects: Arc<dyn ObjectStore>,
    max_bytes: u64,
}

/// The blob key of a digest.
fn blob_key(sha256: &str) -> Key {
    let (a, b) = (
        sha256.get(0..2).unwrap_or("00"),
        sha256.get(2..4).unwrap_or("00"),
    );
    Key::from(format!("blobs/{a}/{b}/{sha256}"))
}

/// The type of the content from its magic numbers, if `infer` knows it.
pub fn sniff(head: &[u8]) -> Option<&'static str> {
    infer::get(head).map(|t| t.mime_type())
}

impl FileStore {
    /// A folder on this machine (created if missing).
    pub fn local(dir: &std::path::Path, max_bytes: u64) -> Result<Self> {
        std::fs::create_dir_all(dir)?;
        let fs = LocalFileSystem::new_with_prefix(dir)
            .map_err(|e| StoreError::Invalid(format!("files folder {}: {e}", dir.display())))?;
        Ok(Self {
            objects: Arc::new(fs),
            max_bytes,
        })
    }

    /// Memory only (unit tests).
    pub fn in_memory(max_bytes: u64) -> Self {
        Self {
            objects: Arc::new(InMemory::new()),
            max_bytes,
        }
    }

    /// Any `object_store` backend (S3-compatible in production).
    pub fn with_objects(objects: Arc<dyn ObjectStore>, max_bytes: u64) -> Self {
        Self { objects, max_bytes }
    }

    pub fn max_bytes(&self) -> u64 {
        self.max_bytes
    }

    /// Starts an upload; feed it with [`Upload::write`], end with [`Upload::finish`].
    pub fn upload(&self) -> Upload {
        Upload {
            store: self.clone(),
            staging: Key::from(format!("staging/{}", uuid::Uuid::now_v7())),
            writer: None,
            hasher: Sha256::new(),
            size: 0,
            head: Vec::new(),
            media_type: None,
        }
    }

    /// Stores bytes already in memory (tests, small generated documents).
    pub async fn put_bytes(&self, bytes: &[u8]) -> Result<Blob, UploadError> {
        let mut up = self.upload();
        for chunk in bytes.chunks(64 * 1024) {
            if let Err(e) = up.write(chunk).await {
                up.abort().await;
                return Err(e);
            }
        }
        up.finish().await
    }

    /// The blob's bytes as a stream, for serving.
    pub async fn open(&self, sha256: &str) -> Result<object_store::GetResult, object_store::Error> {
        self.objects.get(&blob_key(sha256)).await
    }

    /// Whether the blob is there (the readiness probe writes nothing).
    pub async fn has(&self, sha256: &str) -> bool {
        self.objects.head(&blob_key(sha256)).await.is_ok()
    }

    /// Removes a blob that no file row names: one an upload created and then did not
    /// keep. Returns whether it was removed. A blob some row names is left alone, so this
    /// is safe to call for any blob; it is meant for those with [`Blob::created`] set, as
    /// an identical upload in flight elsewhere reuses a blob it found without a row yet.
    pub async fn discard_unused(&self, store: &Store, sha256: &str) -> Result<bool> {
        if store.blob_in_use(sha256).await? {
            return Ok(false);
        }
        match self.objects.delete(&blob_key(sha256)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(true),
            Err(e) => Err(StoreError::Invalid(format!("removing blob {sha256}: {e}"))),
        }
    }
}

/// An upload in progress.
pub struct Upload {
    store: FileStore,
    staging: Key,
    writer: Option<WriteMultipart>,
    hasher: Sha256,
    size: u64,
    head: Vec<u8>,
    media_type: Option<&'static str>,
}

impl Upload {
    /// Judges the type on the head and, if allowed, starts writing.
    async fn start(&mut self) -> Result<(), UploadError> {
        let sniffed = sniff(&self.head);
        match sniffed {
            Some(t) if media_type_allowed(t) => {
                self.media_type = Some(t);
                let upload = self.store.objects.put_multipart(&self.staging).await?;
                let mut w = WriteMultipart::new(upload);
                w.write(&self.head);
                self.writer = Some(w);
                Ok(())
            }
            other => Err(UploadError::TypeNotAllowed {
                sniffed: other.map(str::to_owned),
            }),
        }
    }

    /// Adds a chunk. Refuses as soon as the size limit is passed or the type is judged
    /// not allowed; the caller then drops the rest of the stream and calls [`abort`].
    ///
    /// [`abort`]: Upload::abort
    pub async fn write(&mut self, chunk: &[u8]) -> Result<(), UploadError> {
        self.size += chunk.len() as u64;
        if self.size > self.store.max_bytes {
            return Err(UploadError::TooLarge {
                max: self.store.max_bytes,
            });
        }
        self.hasher.update(chunk);
        match &mut self.writer {
            Some(w) => {
                w.wait_for_capacity(4).await?;
                w.write(chunk);
            }
            None => {
                self.head.extend_from_slice(chunk);
                if self.head.len() >= SNIFF_BYTES {
                    self.start().await?;
                }
            }
        }
        Ok(())
    }

    /// Completes the blob under its digest. An identical blob already there is kept.
    pub async fn finish(mut self) -> Result<Blob, UploadError> {
        if self.size == 0 {
            return Err(UploadError::Empty);
        }
        if self.writer.is_none()
            && let Err(e) = self.start().await
        {
            self.abort().await;
            return Err(e);
        }
        let Some(w) = self.writer.take() else {
            return Err(UploadError::Empty);
        };
        // A failed completion removes its own parts (`WriteMultipart::finish` aborts).
        w.finish().await?;
        let sha256 = hex::encode(std::mem::take(&mut self.hasher).finalize());
        let key = blob_key(&sha256);
        let objects = &self.store.objects;
        let created = match objects.rename_if_not_exists(&self.staging, &key).await {
            Ok(()) => true,
            Err(object_store::Error::AlreadyExists { .. }) => {
                let _ = objects.delete(&self.staging).await;
                false
            }
            // Stores without an atomic "create" (plain S3): the same digest is the same
            // bytes, so overwriting is harmless.
            Err(
                object_store::Error::NotSupported { .. }
                | object_store::Error::NotImplemented { .. },
            ) => {
                let existed = objects.head(&key).await.is_ok();
                if let Err(e) = objects.rename(&self.staging, &key).await {
                    let _ = objects.delete(&self.staging).await;
                    return Err(e.into());
                }
                !existed
            }
            Err(e) => {
                let _ = objects.delete(&self.staging).await;
                return Err(e.into());
            }
        };
        Ok(Blob {
            sha256,
            created,
            size: self.size,
            media_type: self
                .media_type
                .unwrap_or("application/octet-stream")
                .to_owned(),
        })
    }

    /// Drops what was written so far.
    pub async fn abort(mut self) {
        if let Some(w) = self.writer.take() {
            let _ = w.abort().await;
        }
    }
}

/// What a file row is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    Component,
    Result,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Component => "component",
            Purpose::Result => "result",
        }
    }
    fn parse(s: &str) -> Result<Self> {
        match s {
            "component" => Ok(Purpose::Component),
            "result" => Ok(Purpose::Result),
            other => Err(StoreError::Corrupt(format!("file purpose {other}"))),
        }
    }
}

/// A file row to insert with a dossier's commit.
#[derive(Debug, Clone)]
pub struct NewFile {
    pub file: FileRef,
    pub dossier: String,
    pub purpose: Purpose,
    pub component: Option<String>,
    pub uploaded_by: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// A file row as read back.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StoredFile {
    pub id: String,
    pub sha256: String,
    pub size: u64,
    pub media_type: String,
    pub name: String,
    pub dossier: String,
    pub purpose: Purpose,
    pub component: Option<String>,
    pub uploaded_by: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// id, sha256, size, media type, name, dossier, purpose, component, uploaded by, created.
type FileRow = (
    String,
    String,
    i64,
    String,
    String,
    String,
    String,
    Option<String>,
    String,
    i64,
);

fn file_from_row(r: FileRow) -> Result<StoredFile> {
    let (id, sha256, size, media_type, name, dossier, purpose, component, uploaded_by, at) = r;
    Ok(StoredFile {
        id,
        sha256,
        size: u64::try_from(size).map_err(|_| StoreError::Corrupt("file size".into()))?,
        media_type,
        name,
        dossier,
        purpose: Purpose::parse(&purpose)?,
        component,
        uploaded_by,
        created_at: from_micros(at),
    })
}

const FILE_COLUMNS: &str =
    "id, sha256, size, media_type, name, dossier, purpose, component, uploaded_by, created_at_us";

impl Store {
    /// Commits dossier changes and the rows of the files their events name, in one
    /// transaction. The blobs must already be stored.
    pub async fn commit_dossiers_with_files(
        &self,
        commits: &[Commit<'_>],
        files: &[NewFile],
    ) -> Result<()> {
        let tx = self.pool().begin().await?;
        self.commit_in(tx, commits, files).await
    }

    /// Writes the commits and their files in `tx` and commits it.
    pub(crate) async fn commit_in(
        &self,
        mut tx: sqlx::Transaction<'static, sqlx::Any>,
        commits: &[Commit<'_>],
        files: &[NewFile],
    ) -> Result<()> {
        for c in commits {
            write_one(&mut tx, c).await?;
        }
        for f in files {
            sqlx::query(&format!(
                "INSERT INTO files ({FILE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
            ))
            .bind(&f.file.id)
            .bind(&f.file.sha256)
            .bind(i64::try_from(f.file.size).map_err(|_| StoreError::Invalid("file size".into()))?)
            .bind(&f.file.media_type)
            .bind(&f.file.name)
            .bind(&f.dossier)
            .bind(f.purpose.as_str())
            .bind(f.component.as_deref())
            .bind(&f.uploaded_by)
            .bind(to_micros(f.created_at))
            .execute(&mut *tx)
            .await?;
        }
        // A file event changes what the index reads (component and result files), so the
        // commit takes a change number like any other dossier write.
        let ids: Vec<&str> = commits.iter().map(|c| c.state.id.as_str()).collect();
        crate::snapshots::stamp(&mut tx, self.backend(), &ids).await?;
        tx.commit().await.map_err(|e| match e {
            sqlx::Error::Database(db) => StoreError::Conflict(db.message().to_owned()),
            other => StoreError::Database(other),
        })?;
        Ok(())
    }

    /// Whether some file row names this blob.
    pub async fn blob_in_use(&self, sha256: &str) -> Result<bool> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM files WHERE sha256 = $1")
            .bind(sha256)
            .fetch_one(self.pool())
            .await?;
        Ok(n > 0)
    }

    /// How many files a dossier holds and their bytes together (for its limits).
    pub async fn dossier_file_totals(&self, dossier: &str) -> Result<(usize, u64)> {
        // PostgreSQL sums BIGINT as NUMERIC, which the Any driver does not read.
        let (n, bytes): (i64, i64) = sqlx::query_as(
            "SELECT COUNT(*), CAST(COALESCE(SUM(size), 0) AS BIGINT) FROM files WHERE dossier = $1",
        )
        .bind(dossier)
        .fetch_one(self.pool())
        .await?;
        Ok((
            usize::try_from(n).unwrap_or(0),
            u64::try_from(bytes).unwrap_or(0),
        ))
    }

    pub async fn file(&self, id: &str) -> Result<StoredFile> {
        let row: Option<FileRow> =
            sqlx::query_as(&format!("SELECT {FILE_COLUMNS} FROM files WHERE id = $1"))
                .bind(id)
                .fetch_optional(self.pool())
                .await?;
        file_from_row(row.ok_or(StoreError::NotFound)?)
    }

    /// A dossier's files in upload order.
    pub async fn dossier_files(&self, dossier: &str) -> Result<Vec<StoredFile>> {
        let rows: Vec<FileRow> = sqlx::query_as(&format!(
            "SELECT {FILE_COLUMNS} FROM files WHERE dossier = $1 ORDER BY created_at_us, id"
        ))
        .bind(dossier)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter().map(file_from_row).collect()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

    #[tokio::test]
    async fn blobs_are_content_addressed_and_checked_while_streaming() {
        let dir = tempfile::tempdir().unwrap();
        let fs = FileStore::local(dir.path(), 64).unwrap();
        let blob = fs.put_bytes(PNG).await.unwrap();
        assert_eq!(blob.media_type, "image/png");
        assert_eq!(blob.sha256, hex::encode(Sha256::digest(PNG)));
        assert_eq!(blob.size, PNG.len() as u64);
        let on_disk = dir
            .path()
            .join("blobs")
            .join(&blob.sha256[0..2])
            .join(&blob.sha256[2..4])
            .join(&blob.sha256);
        assert_eq!(std::fs::read(&on_disk).unwrap(), PNG);
        assert!(blob.created);
        // The same bytes again: the same blob, no error, no staging left behind.
        let again = fs.put_bytes(PNG).await.unwrap();
        assert_eq!((&again.sha256, again.created), (&blob.sha256, false));
        let staging = dir.path().join("staging");
        assert!(
            !staging.exists() || std::fs::read_dir(&staging).unwrap().next().is_none(),
            "staging is emptied"
        );
        // A Windows program renamed .pdf is judged by its bytes.
        let exe = b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0PE\0\0";
        assert!(matches!(
            fs.put_bytes(exe).await,
            Err(UploadError::TypeNotAllowed { .. })
        ));
        assert!(matches!(
            fs.put_bytes(b"just text").await,
            Err(UploadError::TypeNotAllowed { sniffed: None })
        ));
        assert!(matches!(fs.put_bytes(b"").await, Err(UploadError::Empty)));
        let mut big = PNG.to_vec();
        big.resize(65, 0);
        assert!(matches!(
            fs.put_bytes(&big).await,
            Err(UploadError::TooLarge { max: 64 })
        ));
        let mut got = fs.open(&blob.sha256).await.unwrap().bytes().await.unwrap();
        assert_eq!(&got.split_off(0)[..], PNG);
    }

    #[tokio::test]
    async fn large_uploads_stream_past_the_sniffing_head() {
        let fs = FileStore::in_memory(DEFAULT_MAX_FILE_BYTES);
        let mut pdf = b"%PDF-1.7\n".to_vec();
        pdf.extend((0..200_000u32).map(|i| (i % 251) as u8));
        let blob = fs.put_bytes(&pdf).await.unwrap();
        assert_eq!(blob.media_type, "application/pdf");
        let back = fs.open(&blob.sha256).await.unwrap().bytes().await.unwrap();
        assert_eq!(&back[..], &pdf[..]);
        assert!(fs.has(&blob.sha256).await);
        assert!(!fs.has(&"0".repeat(64)).await);
    }
}
