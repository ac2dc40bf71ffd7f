using System;
using System.ComponentModel;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading;
using Microsoft.Win32.SafeHandles;

namespace ZulipAuth.Client
{
    /// <summary>
    /// Reads and writes files that hold a secret. Reading takes regular files only, never blocks (a FIFO or a
    /// device is refused before a byte is read) and stops at <see cref="MaximumReadBytes"/>. Writing goes to a
    /// private temporary file in the target's own folder (created 0600 by open(2) itself, with O_EXCL and
    /// O_CLOEXEC), flushed to disk and then put in place in one step, so the file appears whole or not at all:
    /// renamed over the old one when replacing, linked into place (which fails if the name exists) when not.
    /// On any failure the temporary file is removed. A symlink to a regular file is written through: its target
    /// is replaced and the link stays. On Windows the file inherits the ACL of its folder (the user's profile is
    /// private to the user).
    /// </summary>
    internal static class PrivateFile
    {
        /// <summary>The most a zuliprc may hold; real ones are well under 1 KiB.</summary>
        public const int MaximumReadBytes = 64 * 1024;

        private const int ENOENT = 2, EINTR = 4, EEXIST = 17, ENOTDIR = 20, EINVAL = 22, ENOSYS = 38, ENOTSUP = 95, ELOOP = 40;
        private const int S_IFMT = 0xF000, S_IFREG = 0x8000, S_IFDIR = 0x4000;

        private static readonly bool IsWindows = RuntimeInformation.IsOSPlatform(OSPlatform.Windows);
        private static readonly bool IsMacOS = RuntimeInformation.IsOSPlatform(OSPlatform.OSX);

        /// <summary>
        /// Test seam: called before each step of a write ("create", "write", "sync", "place") with the step's name;
        /// a non-zero errno makes that step fail as the operating system would (ENOSPC = 28 for a full disk).
        /// Flows with the calling test only.
        /// </summary>
        internal static readonly AsyncLocal<Func<string, int>?> FaultInjection = new AsyncLocal<Func<string, int>?>();

        /// <summary>
        /// Writes <paramref name="content"/>. Throws <see cref="ZulipApiException"/>: ZulipConfigExists when the
        /// file exists and <paramref name="replace"/> is false, ZulipInvalidPath when the path (or a symlink's
        /// target) exists and is not a regular file, ZulipConfigWriteFailed for any other failure.
        /// </summary>
        public static void Write(string path, byte[] content, bool replace)
        {
            var target = WriteTarget(path);
            var directory = Path.GetDirectoryName(target);
            if (string.IsNullOrEmpty(directory))
            {
                directory = ".";
            }

            string? temporary = null;
            try
            {
                Directory.CreateDirectory(directory);
                if (!replace && KindOf(target) != FileKind.Missing)
                {
                    throw Exists(path);
                }

                temporary = Path.Combine(directory, "." + Path.GetFileName(target) + "." + Guid.NewGuid().ToString("N").Substring(0, 8) + ".tmp");
                Fault("create");
                using (var created = CreateNew(temporary))
                {
                    Fault("write");
                    created.Write(content, 0, content.Length);
                    Fault("sync");
                    created.Flush(true);
                }

                Fault("place");
                if (replace)
                {
                    Replace(temporary, target);
                }
                else
                {
                    PlaceNew(temporary, target, path);
                }

                temporary = null;
                SyncDirectory(directory);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is NotSupportedException || e is ArgumentException)
            {
                throw ZulipApiException.WithHint(ZulipErrorId.ConfigWriteFailed, $"Could not write '{path}': {e.Message}", "Check that the folder exists or can be created, that you may write there and that the disk has room; or choose another -Path.", e);
            }
            finally
            {
                if (temporary != null)
                {
                    TryDelete(temporary);
                }
            }
        }

        /// <summary>
        /// The bytes of a regular file, at most <see cref="MaximumReadBytes"/>. Throws <see cref="ZulipApiException"/>:
        /// ZulipConfigNotFound, ZulipInvalidPath (not a regular file), ZulipConfigInvalid (too large),
        /// ZulipConfigReadFailed; <see cref="OperationCanceledException"/> when <paramref name="cancel"/> fires.
        /// </summary>
        public static byte[] ReadRegular(string path, CancellationToken cancel)
        {
            cancel.ThrowIfCancellationRequested();
            RefuseNul(path);
            return IsWindows ? ReadRegularWindows(path, cancel) : ReadRegularUnix(path, cancel);
        }

        /// <summary>What is at <paramref name="path"/>, following symlinks; never opens it, so never blocks.</summary>
        internal static FileKind KindOf(string path)
        {
            if (path.IndexOf('\0') >= 0)
            {
                return FileKind.Other;
            }

            if (IsWindows)
            {
                if (IsWindowsDevicePath(path))
                {
                    return FileKind.Other;
                }

                if (Directory.Exists(path))
                {
                    return FileKind.Directory;
                }

                return File.Exists(path) ? FileKind.Regular : FileKind.Missing;
            }

            if (Native.TryStat(path, followLinks: true, out var mode, out var errno))
            {
                return KindOfMode(mode);
            }

            if (errno == ENOENT || errno == ENOTDIR)
            {
                // A dangling symlink is not "missing": writing there would create a file somewhere unexpected.
                return Native.TryStat(path, followLinks: false, out _, out _) ? FileKind.Other : FileKind.Missing;
            }

            if (errno == -1)
            {
                // System.Native is not available: fall back to what .NET itself can tell.
                return Directory.Exists(path) ? FileKind.Directory : File.Exists(path) ? FileKind.Regular : FileKind.Missing;
            }

            return FileKind.Other;
        }

        /// <summary>True when group or others may read the file (always false on Windows, where modes do not apply).</summary>
        public static bool IsReadableByOthers(string path)
        {
            if (IsWindows)
            {
                return false;
            }

            if (Native.TryStat(path, followLinks: true, out var mode, out _))
            {
                return (mode & 0x3F) != 0; // any of rwx for group (070) or others (007)
            }

            return false;
        }

        private static FileKind KindOfMode(int mode) =>
            (mode & S_IFMT) switch
            {
                S_IFREG => FileKind.Regular,
                S_IFDIR => FileKind.Directory,
                _ => FileKind.Other,
            };

        /// <summary>The file to replace: the path itself, or the final target of a symlink to a regular file.</summary>
        private static string WriteTarget(string path)
        {
            RefuseNul(path);
            var full = Path.GetFullPath(path);
            var kind = KindOf(full);
            if (kind == FileKind.Directory)
            {
                throw NotRegular(path, "is a folder");
            }

            if (kind == FileKind.Other)
            {
                throw NotRegular(path, "exists and is not a regular file (a device, a FIFO, a socket or a broken symlink)");
            }

            if (IsWindows || kind == FileKind.Missing)
            {
                return full;
            }

            return Native.RealPath(full) ?? full;
        }

        /// <summary>A NUL would end the path early on its way to the C library, so another file would be used.</summary>
        private static void RefuseNul(string path)
        {
            if (path.IndexOf('\0') >= 0)
            {
                throw ZulipApiException.WithHint(ZulipErrorId.InvalidPath, "The path contains a NUL character, which no file name can hold.", "Give a file path without control characters, for example ~/.zuliprc.");
            }
        }

        private static ZulipApiException NotRegular(string path, string what) =>
            ZulipApiException.WithHint(ZulipErrorId.InvalidPath, $"'{path}' {what}; nothing was written or read.", "Name a regular file with -Path, for example ~/.zuliprc.");

        private static ZulipApiException Exists(string path) =>
            ZulipApiException.WithHint(ZulipErrorId.ConfigExists, $"'{path}' already exists and was left untouched.", "Use -Force to replace it, or -Path to write another file.");

        private static void Fault(string step)
        {
            var errno = FaultInjection.Value?.Invoke(step) ?? 0;
            if (errno != 0)
            {
                throw new IOException(new Win32Exception(errno).Message, errno);
            }
        }

        private static FileStream CreateNew(string path)
        {
            if (IsWindows)
            {
                return new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
            }

            const int O_WRONLY = 0x1;
            var flags = O_WRONLY | (IsMacOS ? 0x200 | 0x800 | 0x1000000 : 0x40 | 0x80 | 0x80000); // O_CREAT | O_EXCL | O_CLOEXEC (values differ on macOS)
            var fd = Native.open(path, flags, Convert.ToInt32("600", 8));
            if (fd < 0)
            {
                var errno = Marshal.GetLastWin32Error();
                throw new IOException($"Could not create '{path}': {new Win32Exception(errno).Message}", errno);
            }

            return new FileStream(new SafeFileHandle(new IntPtr(fd), ownsHandle: true), FileAccess.Write);
        }

        private static void Replace(string source, string destination)
        {
            if (IsWindows)
            {
                // File.Replace swaps in one step (ReplaceFile); a missing destination is a plain move.
                if (File.Exists(destination))
                {
                    File.Replace(source, destination, null);
                }
                else
                {
                    File.Move(source, destination);
                }

                return;
            }

            if (Native.rename(source, destination) != 0)
            {
                var errno = Marshal.GetLastWin32Error();
                throw new IOException($"Could not replace '{destination}': {new Win32Exception(errno).Message}", errno);
            }
        }

        /// <summary>Puts <paramref name="source"/> at <paramref name="destination"/> only if nothing is there, in one step.</summary>
        private static void PlaceNew(string source, string destination, string shownPath)
        {
            if (IsWindows)
            {
                // MoveFileEx without MOVEFILE_REPLACE_EXISTING: fails when the name exists, never replaces.
                if (File.Exists(destination) || Directory.Exists(destination))
                {
                    throw Exists(shownPath);
                }

                File.Move(source, destination);
                return;
            }

            var errno = 0;
            if (!IsMacOS)
            {
                const int RENAME_NOREPLACE = 1;
                if (Native.TryRenameNoReplace(source, destination, RENAME_NOREPLACE, out errno))
                {
                    return;
                }

                if (errno == EEXIST)
                {
                    throw Exists(shownPath);
                }
            }

            // Without renameat2 (older kernels, macOS, some file systems): link(2) fails with EEXIST instead of
            // replacing, then the temporary name goes.
            if (errno == 0 || errno == EINVAL || errno == ENOSYS || errno == ENOTSUP || errno == -1)
            {
                if (Native.link(source, destination) == 0)
                {
                    Native.unlink(source);
                    return;
                }

                errno = Marshal.GetLastWin32Error();
                if (errno == EEXIST)
                {
                    throw Exists(shownPath);
                }
            }

            throw new IOException($"Could not create '{destination}': {new Win32Exception(errno).Message}", errno);
        }

        /// <summary>Makes the new name durable: without it, a crash can leave the folder without the file the user was told exists.</summary>
        private static void SyncDirectory(string directory)
        {
            if (IsWindows)
            {
                return;
            }

            var fd = Native.open(directory, 0 | (IsMacOS ? 0x1000000 : 0x80000), 0); // O_RDONLY | O_CLOEXEC
            if (fd < 0)
            {
                return;
            }

            try
            {
                // EINVAL: a file system that cannot sync folders; the rename is done either way.
                if (Native.fsync(fd) != 0 && Marshal.GetLastWin32Error() is var errno && errno != EINVAL && errno != ENOTSUP)
                {
                    throw new IOException($"Could not sync the folder '{directory}': {new Win32Exception(errno).Message}", errno);
                }
            }
            finally
            {
                Native.close(fd);
            }
        }

        private static void TryDelete(string path)
        {
            try
            {
                File.Delete(path);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                // Nothing more can be done; the name is private (0600) and begins with a dot.
            }
        }

        private static byte[] ReadRegularUnix(string path, CancellationToken cancel)
        {
            // O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting for one; for a regular
            // file the flag changes nothing.
            var flags = IsMacOS ? 0x4 | 0x1000000 : 0x800 | 0x80000; // O_RDONLY | O_NONBLOCK | O_CLOEXEC
            int fd;
            int errno;
            do
            {
                fd = Native.open(path, flags, 0);
                errno = fd < 0 ? Marshal.GetLastWin32Error() : 0;
            }
            while (fd < 0 && errno == EINTR && !cancel.IsCancellationRequested);

            if (fd < 0)
            {
                throw OpenFailure(path, errno);
            }

            try
            {
                if (Native.TryFStat(fd, out var mode) && (mode & S_IFMT) != S_IFREG)
                {
                    throw NotRegular(path, (mode & S_IFMT) == S_IFDIR ? "is a folder" : "is not a regular file (a device, a FIFO or a socket)");
                }

                return ReadAtMost(path, fd, cancel);
            }
            finally
            {
                Native.close(fd);
            }
        }

        private static unsafe byte[] ReadAtMost(string path, int fd, CancellationToken cancel)
        {
            // One byte more than allowed tells "exactly at the cap" from "over it"; a device that slipped past
            // fstat (no System.Native) still ends here.
            var buffer = new byte[MaximumReadBytes + 1];
            var total = 0;
            fixed (byte* start = buffer)
            {
                while (total < buffer.Length)
                {
                    cancel.ThrowIfCancellationRequested();
                    var read = Native.read(fd, start + total, new IntPtr(Math.Min(16 * 1024, buffer.Length - total))).ToInt64();
                    if (read < 0)
                    {
                        var errno = Marshal.GetLastWin32Error();
                        if (errno == EINTR)
                        {
                            continue;
                        }

                        throw ZulipApiException.WithHint(ZulipErrorId.ConfigReadFailed, $"Could not read '{path}': {new Win32Exception(errno).Message}", "Check that you may read the file, or name another one with -Path.");
                    }

                    if (read == 0)
                    {
                        break;
                    }

                    total += (int)read;
                }
            }

            if (total > MaximumReadBytes)
            {
                Array.Clear(buffer, 0, buffer.Length);
                throw TooLarge(path);
            }

            var result = new byte[total];
            Buffer.BlockCopy(buffer, 0, result, 0, total);
            Array.Clear(buffer, 0, buffer.Length);
            return result;
        }

        private static ZulipApiException TooLarge(string path) =>
            ZulipApiException.WithHint(ZulipErrorId.ConfigInvalid, $"'{path}' is larger than {MaximumReadBytes / 1024} KiB, far more than any zuliprc holds, so it was not read.", "Name the right file with -Path, or write a new one with Get-ZulipApiKey | Export-ZulipRc.");

        private static ZulipApiException OpenFailure(string path, int errno)
        {
            if (errno == ENOENT || errno == ENOTDIR)
            {
                return ZulipApiException.WithHint(ZulipErrorId.ConfigNotFound, $"There is no zuliprc at '{path}'.", "Fetch a key with Get-ZulipApiKey | Export-ZulipRc, or download a zuliprc from the web app.");
            }

            const int ENXIO = 6, EOPNOTSUPP_MAC = 102;
            if (errno == ENXIO || errno == ENOTSUP || errno == EOPNOTSUPP_MAC || errno == ELOOP)
            {
                // open(2) of a socket (ENXIO or EOPNOTSUPP) never gets as far as fstat.
                return NotRegular(path, "is not a regular file (a device, a FIFO or a socket)");
            }

            return ZulipApiException.WithHint(ZulipErrorId.ConfigReadFailed, $"Could not read '{path}': {new Win32Exception(errno).Message}", "Check that you may read the file, or name another one with -Path.");
        }

        private static byte[] ReadRegularWindows(string path, CancellationToken cancel)
        {
            var kind = KindOf(path);
            if (kind == FileKind.Missing)
            {
                throw OpenFailure(path, ENOENT);
            }

            if (kind != FileKind.Regular)
            {
                throw NotRegular(path, kind == FileKind.Directory ? "is a folder" : "is not a regular file (a device)");
            }

            try
            {
                using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                var buffer = new byte[MaximumReadBytes + 1];
                var total = 0;
                int read;
                while (total < buffer.Length && (read = stream.Read(buffer, total, Math.Min(16 * 1024, buffer.Length - total))) > 0)
                {
                    cancel.ThrowIfCancellationRequested();
                    total += read;
                }

                if (total > MaximumReadBytes)
                {
                    throw TooLarge(path);
                }

                var result = new byte[total];
                Buffer.BlockCopy(buffer, 0, result, 0, total);
                Array.Clear(buffer, 0, buffer.Length);
                return result;
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is NotSupportedException)
            {
                throw ZulipApiException.WithHint(ZulipErrorId.ConfigReadFailed, $"Could not read '{path}': {e.Message}", "Check that you may read the file, or name another one with -Path.", e);
            }
        }

        /// <summary>Names Windows opens as devices rather than files: \\.\ paths and CON, NUL, COM1… in any folder.</summary>
        private static bool IsWindowsDevicePath(string path)
        {
            if (path.StartsWith(@"\\.\", StringComparison.Ordinal) || path.StartsWith(@"\\?\GLOBALROOT", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }

            var name = Path.GetFileName(path);
            var dot = name.IndexOf('.');
            var stem = (dot < 0 ? name : name.Substring(0, dot)).TrimEnd(' ').ToUpperInvariant();
            return stem is "CON" or "PRN" or "AUX" or "NUL" or "CONIN$" or "CONOUT$"
                || (stem.Length == 4 && (stem.StartsWith("COM", StringComparison.Ordinal) || stem.StartsWith("LPT", StringComparison.Ordinal)) && stem[3] >= '1' && stem[3] <= '9');
        }

        private static class Native
        {
            [DllImport("libc", SetLastError = true)]
            public static extern int open([MarshalAs(UnmanagedType.LPStr)] string path, int flags, int mode);

            [DllImport("libc", SetLastError = true)]
            public static extern int close(int fd);

            [DllImport("libc", SetLastError = true)]
            public static extern unsafe IntPtr read(int fd, byte* buffer, IntPtr count);

            [DllImport("libc", SetLastError = true)]
            public static extern int fsync(int fd);

            [DllImport("libc", SetLastError = true)]
            public static extern int rename([MarshalAs(UnmanagedType.LPStr)] string oldPath, [MarshalAs(UnmanagedType.LPStr)] string newPath);

            [DllImport("libc", SetLastError = true)]
            public static extern int link([MarshalAs(UnmanagedType.LPStr)] string oldPath, [MarshalAs(UnmanagedType.LPStr)] string newPath);

            [DllImport("libc", SetLastError = true)]
            public static extern int unlink([MarshalAs(UnmanagedType.LPStr)] string path);

            [DllImport("libc", SetLastError = true, EntryPoint = "renameat2")]
            private static extern int renameat2(int oldDirectory, [MarshalAs(UnmanagedType.LPStr)] string oldPath, int newDirectory, [MarshalAs(UnmanagedType.LPStr)] string newPath, uint flags);

            [DllImport("libc", SetLastError = true, EntryPoint = "realpath")]
            private static extern IntPtr realpath([MarshalAs(UnmanagedType.LPStr)] string path, IntPtr resolved);

            [DllImport("libc", EntryPoint = "free")]
            private static extern void free(IntPtr pointer);

            // .NET's own portable stat (the runtime's System.Native library, present wherever .NET runs on Unix):
            // its FileStatus has the same layout on every platform and architecture, unlike struct stat. Mode is
            // the second int32 and holds the full st_mode, file type included.
            [DllImport("libSystem.Native", EntryPoint = "SystemNative_Stat", SetLastError = true)]
            private static extern unsafe int SystemNativeStat([MarshalAs(UnmanagedType.LPStr)] string path, byte* status);

            [DllImport("libSystem.Native", EntryPoint = "SystemNative_LStat", SetLastError = true)]
            private static extern unsafe int SystemNativeLStat([MarshalAs(UnmanagedType.LPStr)] string path, byte* status);

            [DllImport("libSystem.Native", EntryPoint = "SystemNative_FStat", SetLastError = true)]
            private static extern unsafe int SystemNativeFStat(IntPtr fd, byte* status);

            /// <summary>stat(2) or lstat(2); errno -1 when the runtime's System.Native cannot be used.</summary>
            public static unsafe bool TryStat(string path, bool followLinks, out int mode, out int errno)
            {
                mode = 0;
                var status = stackalloc byte[512];
                try
                {
                    var result = followLinks ? SystemNativeStat(path, status) : SystemNativeLStat(path, status);
                    if (result != 0)
                    {
                        errno = Marshal.GetLastWin32Error();
                        return false;
                    }
                }
                catch (Exception e) when (e is DllNotFoundException || e is EntryPointNotFoundException)
                {
                    errno = -1;
                    return false;
                }

                mode = *(int*)(status + 4);
                errno = 0;
                return true;
            }

            public static unsafe bool TryFStat(int fd, out int mode)
            {
                mode = 0;
                var status = stackalloc byte[512];
                try
                {
                    if (SystemNativeFStat(new IntPtr(fd), status) != 0)
                    {
                        return false;
                    }
                }
                catch (Exception e) when (e is DllNotFoundException || e is EntryPointNotFoundException)
                {
                    return false;
                }

                mode = *(int*)(status + 4);
                return true;
            }

            /// <summary>renameat2(RENAME_NOREPLACE); errno -1 when the C library has no renameat2 (glibc before 2.28, musl).</summary>
            public static bool TryRenameNoReplace(string source, string destination, uint flags, out int errno)
            {
                const int AT_FDCWD = -100;
                try
                {
                    if (renameat2(AT_FDCWD, source, AT_FDCWD, destination, flags) == 0)
                    {
                        errno = 0;
                        return true;
                    }

                    errno = Marshal.GetLastWin32Error();
                    return false;
                }
                catch (EntryPointNotFoundException)
                {
                    errno = -1;
                    return false;
                }
            }

            /// <summary>The path with every symlink resolved; null when it cannot be resolved.</summary>
            public static string? RealPath(string path)
            {
                var resolved = realpath(path, IntPtr.Zero);
                if (resolved == IntPtr.Zero)
                {
                    return null;
                }

                try
                {
                    return Marshal.PtrToStringAnsi(resolved);
                }
                finally
                {
                    free(resolved);
                }
            }
        }
    }
}
