namespace K8shell.Sessions.Tests;

/// <summary>
/// A real file system that fills up: a tmpfs of a few pages mounted for one test (the tests run as root, as CI
/// does). Writes beyond it fail with ENOSPC exactly as on a full disk.
/// </summary>
internal sealed class SmallDisk : IAsyncDisposable
{
    /// <summary>
    /// KiB with room for three of a recording file's 64 KiB buffers but not a whole test recording, so a known
    /// amount survives wherever the seeded chunks fall.
    /// </summary>
    public const int ThreeBuffers = 256;

    private readonly ScratchFolder _folder;

    private SmallDisk(ScratchFolder folder) => _folder = folder;

    public string Path => _folder.Path;

    public static async Task<SmallDisk> MountAsync(int kibibytes, CancellationToken cancellationToken)
    {
        Assert.True(Environment.UserName == "root", "mounting a small tmpfs needs root, which CI has");
        var folder = new ScratchFolder();
        var mounted = await Programs.RunAsync("mount", ["-t", "tmpfs", "-o", $"size={kibibytes}k,mode=0700", "tmpfs", folder.Path], null, cancellationToken);
        if (mounted.ExitCode != 0)
        {
            folder.Dispose();
            Assert.Fail($"mount -t tmpfs failed: {mounted.Errors}");
        }
        return new SmallDisk(folder);
    }

    /// <summary>Makes room: the same file system, <paramref name="kibibytes"/> large, its files untouched.</summary>
    public async Task GrowAsync(int kibibytes, CancellationToken cancellationToken)
    {
        var grown = await Programs.RunAsync("mount", ["-o", $"remount,size={kibibytes}k", _folder.Path], null, cancellationToken);
        Assert.True(grown.ExitCode == 0, $"mount -o remount failed: {grown.Errors}");
    }

    /// <summary>Copies a file off the full disk, so the readers get room for their own temporary files.</summary>
    public string CopyOut(string path, ScratchFolder to)
    {
        var copy = to.File(System.IO.Path.GetFileName(path));
        File.Copy(path, copy);
        return copy;
    }

    public async ValueTask DisposeAsync()
    {
        await Programs.RunAsync("umount", [_folder.Path], null, CancellationToken.None);
        _folder.Dispose();
    }
}
