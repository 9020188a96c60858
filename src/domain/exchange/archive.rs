//! The zip archives in which several files travel over HTTP as one (a Shapefile's `.shp`,
//! `.shx`, `.dbf`, `.prj` and `.cpg`; the exchange package): packed from named files, and
//! unpacked from an upload as hostile input — only plain files with an expected extension at
//! the archive's top level or in one folder, each name safe to use as a file name, their sizes
//! counted as they are inflated (not as the archive declares them), within a limit in all.

use std::io::{Cursor, Read, Write};

use zip::write::SimpleFileOptions;

/// One file of an archive: its name (no folder) and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchivedFile {
    /// The file's name, without any folder.
    pub name: String,
    /// Its content.
    pub bytes: Vec<u8>,
}

/// Packs `files` into a zip archive (deflated).
///
/// ```
/// use diming::domain::exchange::archive::{ArchivedFile, pack, unpack};
/// let files = vec![ArchivedFile { name: "a.cpg".into(), bytes: b"UTF-8".to_vec() }];
/// let zip = pack(&files).unwrap();
/// assert_eq!(unpack(&zip, &["cpg"], 1 << 20).unwrap(), files);
/// ```
pub fn pack(files: &[ArchivedFile]) -> Result<Vec<u8>, String> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for file in files {
        writer
            .start_file(file.name.as_str(), options)
            .map_err(|e| e.to_string())?;
        writer.write_all(&file.bytes).map_err(|e| e.to_string())?;
    }
    Ok(writer.finish().map_err(|e| e.to_string())?.into_inner())
}

/// Unpacks the files of `bytes` whose extension is one of `extensions` (lower case, no dot),
/// refusing the archive when it is not a zip, when a name is unsafe or repeated, or when the
/// inflated files exceed `max_bytes` together. Other entries (folders, `__MACOSX/` and the
/// like, files of other kinds) are skipped.
///
/// ```
/// use diming::domain::exchange::archive::{ArchivedFile, pack, unpack};
/// let bomb = vec![ArchivedFile { name: "a.dbf".into(), bytes: vec![0; 100_000] }];
/// assert!(unpack(&pack(&bomb).unwrap(), &["dbf"], 1000).unwrap_err().contains("1000 bytes"));
/// ```
pub fn unpack(
    bytes: &[u8],
    extensions: &[&str],
    max_bytes: u64,
) -> Result<Vec<ArchivedFile>, String> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| format!("not a readable zip archive (truncated or damaged?): {e}"))?;
    let mut files: Vec<ArchivedFile> = Vec::new();
    let mut total = 0u64;
    for index in 0..archive.len() {
        let mut entry = archive
            .by_index(index)
            .map_err(|e| format!("entry {index} of the zip cannot be read: {e}"))?;
        if !entry.is_file() {
            continue;
        }
        let path = entry
            .name()
            .map_err(|e| format!("entry {index} of the zip has no readable name: {e}"))?
            .replace('\\', "/");
        if path.starts_with("__MACOSX/") {
            continue;
        }
        let name = path.rsplit('/').next().unwrap_or_default().to_string();
        let extension = name
            .rsplit_once('.')
            .map(|(_, e)| e.to_ascii_lowercase())
            .unwrap_or_default();
        if !extensions.contains(&extension.as_str()) {
            continue;
        }
        if entry.enclosed_name().is_none()
            || name.starts_with('.')
            || name.chars().any(|c| c.is_control() || c == ':')
        {
            return Err(format!(
                "the zip names a file {path:?}, which is not a safe file name"
            ));
        }
        if files.iter().any(|f| f.name.eq_ignore_ascii_case(&name)) {
            return Err(format!("the zip holds {name} twice"));
        }
        let mut content = Vec::new();
        let room = max_bytes.saturating_sub(total);
        (&mut entry)
            .take(room + 1)
            .read_to_end(&mut content)
            .map_err(|e| format!("{name} in the zip cannot be inflated: {e}"))?;
        total += content.len() as u64;
        if total > max_bytes {
            return Err(format!(
                "the files of the zip inflate to more than {max_bytes} bytes; import larger files on the command line"
            ));
        }
        files.push(ArchivedFile {
            name,
            bytes: content,
        });
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_and_other_kinds_are_skipped_and_names_lose_their_folder() {
        let files = vec![
            ArchivedFile {
                name: "a.shp".into(),
                bytes: vec![1, 2, 3],
            },
            ArchivedFile {
                name: "readme.txt".into(),
                bytes: b"hi".to_vec(),
            },
        ];
        let zip = pack(&files).unwrap();
        let unpacked = unpack(&zip, &["shp"], 100).unwrap();
        assert_eq!(unpacked, files[..1].to_vec());
    }

    #[test]
    fn a_path_climbing_out_is_refused() {
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        writer
            .start_file("../../etc/x.shp", SimpleFileOptions::default())
            .unwrap();
        writer.write_all(b"x").unwrap();
        let zip = writer.finish().unwrap().into_inner();
        let error = unpack(&zip, &["shp"], 100).unwrap_err();
        assert!(error.contains("not a safe file name"), "{error}");
    }

    #[test]
    fn the_same_file_twice_and_a_non_zip_are_refused() {
        let twice = vec![
            ArchivedFile {
                name: "a.shp".into(),
                bytes: vec![1],
            },
            ArchivedFile {
                name: "dir/A.SHP".into(),
                bytes: vec![2],
            },
        ];
        let error = unpack(&pack(&twice).unwrap(), &["shp"], 100).unwrap_err();
        assert!(error.contains("twice"), "{error}");
        let error = unpack(b"PK not really", &["shp"], 100).unwrap_err();
        assert!(error.contains("not a readable zip"), "{error}");
    }
}
