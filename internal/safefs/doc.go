// Package safefs owns how omnistat writes its output files. Names that come from trace text
// (process names such as "../../x/evil", names with control characters) or from users go
// through Slug and Namer first; files are then written through a Dir, an output folder opened
// once as an os.Root, so nothing outside that folder is ever created, replaced or removed.
//
// A Dir writes every file to a fresh temporary name in the target's folder (O_CREATE|O_EXCL|
// O_NOFOLLOW, mode 0644 under the umask) and renames it into place, so readers never see a
// partial file and temporaries never survive an error. It refuses names that are absolute,
// contain "..", or have a component that is not a slug; a target that is a symbolic link, a
// folder or another non-regular file; folders reached through a symbolic link leading outside
// the root; and, unless opened with Force, replacing a file that its manifest (ManifestName in
// the root, listing size and SHA-256 of what omnistat wrote) does not list with its current
// content, that is a file omnistat did not write or one a user has edited since (ErrExists).
// It has no RemoveAll: it deletes only its own temporaries and, through Prune, files an earlier
// run wrote that the manifest still lists unchanged.
package safefs
