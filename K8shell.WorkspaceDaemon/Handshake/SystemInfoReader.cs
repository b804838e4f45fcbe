using Google.Protobuf.WellKnownTypes;
using K8shell.Contracts.Workspace.V1;
using K8shell.WorkspaceDaemon.InitScripts;
using K8shell.WorkspaceDaemon.Processes;

namespace K8shell.WorkspaceDaemon.Handshake;

/// <summary>The workspace's health from the kernel's own accounts (/proc), with init-script and session state.</summary>
internal sealed class SystemInfoReader(InitScriptRunner initScripts, SessionRegistry sessions)
{
    /// <summary>File systems worth reporting: real storage, not the kernel's virtual ones.</summary>
    private static readonly HashSet<string> VirtualFileSystems =
        ["proc", "sysfs", "devpts", "cgroup", "cgroup2", "mqueue", "securityfs", "debugfs", "tracefs", "pstore", "bpf",
         "configfs", "fusectl", "hugetlbfs", "autofs", "binfmt_misc", "devtmpfs", "nsfs", "rpc_pipefs", "efivarfs"];

    public SystemInfoResponse Read()
    {
        var load = File.ReadAllText("/proc/loadavg").Split(' ');
        var memory = File.ReadLines("/proc/meminfo")
            .Select(line => line.Split(':', 2))
            .ToDictionary(fields => fields[0], fields => ulong.Parse(fields[1].Trim().Split(' ')[0]) * 1024);
        var response = new SystemInfoResponse
        {
            Time = Timestamp.FromDateTime(DateTime.UtcNow),
            UptimeSeconds = (ulong)double.Parse(File.ReadAllText("/proc/uptime").Split(' ')[0]),
            LoadAverage1M = double.Parse(load[0]),
            LoadAverage5M = double.Parse(load[1]),
            LoadAverage15M = double.Parse(load[2]),
            MemoryTotalBytes = memory.GetValueOrDefault("MemTotal"),
            MemoryAvailableBytes = memory.GetValueOrDefault("MemAvailable"),
            CpuCount = (uint)Environment.ProcessorCount,
            ActiveSessions = (uint)sessions.Count,
        };
        response.Mounts.AddRange(ReadMounts());
        response.InitScripts.AddRange(initScripts.Statuses());
        return response;
    }

    private static IEnumerable<MountInfo> ReadMounts()
    {
        foreach (var fields in File.ReadLines("/proc/self/mounts").Select(line => line.Split(' ')))
        {
            if (fields.Length < 4 || VirtualFileSystems.Contains(fields[2]))
            {
                continue;
            }
            // /proc/mounts escapes spaces and the like as octal (\040).
            var mountPoint = System.Text.RegularExpressions.Regex.Unescape(fields[1]);
            var info = new MountInfo { MountPoint = mountPoint, Source = fields[0], FsType = fields[2], ReadOnly = fields[3].Split(',').Contains("ro") };
            try
            {
                var drive = new DriveInfo(mountPoint);
                info.TotalBytes = (ulong)drive.TotalSize;
                info.AvailableBytes = (ulong)drive.AvailableFreeSpace;
            }
            catch (Exception failure) when (failure is IOException or UnauthorizedAccessException)
            {
                // Sizes unknown (a mount we may not stat); the mount is still worth listing.
            }
            yield return info;
        }
    }
}
