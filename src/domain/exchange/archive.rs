//! The zip archives in which several files travel over HTTP as one (a Shapefile's `.shp`,
//! `.shx`, `.dbf`, `.prj` and `.cpg`; the exchange package): packed from named files, and
//! unpacked from an upload as hostile input — only plain files with an expected extension at
//! the archive's top level or in one folder, each name safe to use as a file name, their sizes
//! counted as they are inflated (not as the archive declares them), within a limit in all.

use std::io::{Cursor, Read, Write};

use zip::write::SimpleFileOptions;

/// The most entries (files and folders) an archive may hold.
pub const MAX_ENTRIES: usize = 1000;
/// The longest file name taken, in bytes (file systems allow 255).
const MAX_NAME_BYTES: usize = 200;

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
/// their extension lower-cased, refusing the archive when it is not a zip, holds more than
/// [`MAX_ENTRIES`] entries, when a name is unsafe or repeated (in any case), or when the inflated
/// files exceed `max_bytes` together. Other entries (folders, `__MACOSX/`, dot-files, files of
/// other kinds) are skipped.
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
    if archive.len() > MAX_ENTRIES {
        return Err(format!(
            "the zip holds {} entries; an import takes at most {MAX_ENTRIES}",
            archive.len()
        ));
    }
    let mut files: Vec<ArchivedFile> = Vec::new();
    let mut names = std::collections::HashSet::new();
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
        // Dot-files beside the data (macOS's `._places.shp`) are not part of it.
        if !extensions.contains(&extension.as_str()) || name.starts_with('.') {
            continue;
        }
        if entry.enclosed_name().is_none()
            || name.len() > MAX_NAME_BYTES
            || name.chars().any(|c| c.is_control() || c == ':')
        {
            return Err(format!(
                "the zip names a file {path:?}, which is not a safe file name"
            ));
        }
        if !names.insert(name.to_lowercase()) {
            return Err(format!("the zip holds {name} twice"));
        }
        // The extension in lower case: readers look for `.dbf` beside `.shp`, and a name
        // repeated in another case was refused above.
        let name = format!("{}.{extension}", &name[..name.len() - extension.len() - 1]);
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
    fn folders_dot_files_and_other_kinds_are_skipped_and_names_lose_their_folder() {
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = SimpleFileOptions::default();
        writer.add_directory("export/", options).unwrap();
        for (name, bytes) in [
            ("export/PLACES.SHP", &b"shape"[..]),
            ("export/readme.txt", b"hi"),
            ("export/._PLACES.SHP", b"apple double"),
            ("__MACOSX/export/places.dbf", b"resource fork"),
        ] {
            writer.start_file(name, options).unwrap();
            writer.write_all(bytes).unwrap();
        }
        let zip = writer.finish().unwrap().into_inner();
        let unpacked = unpack(&zip, &["shp", "dbf"], 100).unwrap();
        assert_eq!(
            unpacked,
            vec![ArchivedFile {
                name: "PLACES.shp".into(),
                bytes: b"shape".to_vec()
            }]
        );
    }

    #[test]
    fn an_archive_of_too_many_entries_is_refused_before_any_is_read() {
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for i in 0..=MAX_ENTRIES {
            writer
                .start_file(format!("{i}.dbf"), SimpleFileOptions::default())
                .unwrap();
        }
        let zip = writer.finish().unwrap().into_inner();
        let error = unpack(&zip, &["dbf"], 100).unwrap_err();
        assert!(error.contains("at most 1000"), "{error}");
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
