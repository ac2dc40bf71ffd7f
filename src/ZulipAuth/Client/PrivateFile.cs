using System;
using System.ComponentModel;
using System.IO;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace ZulipAuth.Client
{
    /// <summary>
    /// Writes a file that holds a secret. On Linux and macOS the file is created with mode 0600 by open(2)
    /// itself, so there is no moment at which group or others could read it (a chmod after creation leaves
    /// such a moment); a replacement is written to a private temporary file and renamed over the old one, so
    /// readers see the old file or the new one, never half of either. On Windows the file inherits the ACL of
    /// its folder (the user's profile is private to the user).
    /// </summary>
    public static class PrivateFile
    {
        private static readonly bool IsWindows = RuntimeInformation.IsOSPlatform(OSPlatform.Windows);
        private static readonly bool IsMacOS = RuntimeInformation.IsOSPlatform(OSPlatform.OSX);

        /// <summary>Writes <paramref name="content"/>; throws <see cref="IOException"/> when the file exists and <paramref name="replace"/> is false.</summary>
        public static void Write(string path, byte[] content, bool replace)
        {
            var directory = Path.GetDirectoryName(Path.GetFullPath(path));
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }

            if (!replace)
            {
                using var created = CreateNew(path);
                created.Write(content, 0, content.Length);
                created.Flush(true);
                return;
            }

            var temporary = Path.Combine(directory ?? ".", "." + Path.GetFileName(path) + "." + Guid.NewGuid().ToString("N").Substring(0, 8) + ".tmp");
            try
            {
                using (var created = CreateNew(temporary))
                {
                    created.Write(content, 0, content.Length);
                    created.Flush(true);
                }

                Replace(temporary, path);
            }
            finally
            {
                if (File.Exists(temporary))
                {
                    File.Delete(temporary);
                }
            }
        }

        /// <summary>True when group or others may read the file (always false on Windows, where modes do not apply).</summary>
        public static bool IsReadableByOthers(string path)
        {
            if (IsWindows)
            {
                return false;
            }

            if (Native.stat_mode(path, out var mode))
            {
                return (mode & 0x3F) != 0; // any of rwx for group (070) or others (007)
            }

            return false;
        }

        private static FileStream CreateNew(string path)
        {
            if (IsWindows)
            {
                return new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
            }

            const int O_WRONLY = 0x1;
            var flags = O_WRONLY | (IsMacOS ? 0x200 | 0x800 : 0x40 | 0x80); // O_CREAT | O_EXCL (values differ on macOS)
            var fd = Native.open(path, flags, Convert.ToInt32("600", 8));
            if (fd < 0)
            {
                var errno = Marshal.GetLastWin32Error();
                if (errno == 17)
                {
                    throw new IOException($"The file '{path}' already exists.", 17);
                }

                throw new IOException($"Could not create '{path}': {new Win32Exception(errno).Message}", errno);
            }

            return new FileStream(new SafeFileHandle(new IntPtr(fd), ownsHandle: true), FileAccess.Write);
        }

        private static void Replace(string source, string destination)
        {
            if (IsWindows)
            {
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

        private static class Native
        {
            [DllImport("libc", SetLastError = true)]
            public static extern int open([MarshalAs(UnmanagedType.LPStr)] string path, int flags, int mode);

            [DllImport("libc", SetLastError = true)]
            public static extern int rename([MarshalAs(UnmanagedType.LPStr)] string oldPath, [MarshalAs(UnmanagedType.LPStr)] string newPath);

            /// <summary>The permission bits of <paramref name="path"/>, read without depending on the platform's struct stat layout.</summary>
            public static bool stat_mode(string path, out int mode)
            {
                mode = 0;
                try
                {
                    // .NET 7+ exposes File.GetUnixFileMode; the module is compiled for .NET Framework, so reach it by reflection.
                    var method = typeof(File).GetMethod("GetUnixFileMode", new[] { typeof(string) });
                    if (method == null)
                    {
                        return false;
                    }

                    mode = Convert.ToInt32(method.Invoke(null, new object[] { path }), System.Globalization.CultureInfo.InvariantCulture);
                    return true;
                }
                catch (Exception e) when (e is System.Reflection.TargetInvocationException || e is IOException || e is UnauthorizedAccessException)
                {
                    return false;
                }
            }
        }
    }
}
