using System.ComponentModel.DataAnnotations;

namespace K8shell.SshProxy;

/// <summary>The gateway's own settings (section <c>SshProxy</c>); its parts have sub-sections of their own.</summary>
internal sealed class SshProxyOptions
{
    public const string Section = "SshProxy";

    /// <summary>The SSH port: 2022 in the cluster; the AppHost sets it locally from K8SHELL_SSH_PORT.</summary>
    [Range(1, 65535)]
    public int Port { get; set; } = 2022;

    /// <summary>Address to listen on: any (IPv4 and IPv6) by default.</summary>
    public string ListenAddress { get; set; } = "::";

    /// <summary>Where host keys live (generated once when absent), relative to the content root.</summary>
    [Required]
    public string DataDirectory { get; set; } = "data";

    /// <summary>Identification, key exchange and authentication must finish within this (OpenSSH's LoginGraceTime).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan LoginGraceTime { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a person may take over a device-flow onboarding, from its first prompt: the login grace is extended to
    /// the code's expiry, but no further than this (README.md, "Login grace and onboarding").
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:30:00")]
    public TimeSpan OnboardingGraceTime { get; set; } = TimeSpan.FromMinutes(5);

    [Range(1, 100)]
    public int MaxAuthTries { get; set; } = 6;

    /// <summary>Identity calls during authentication, each.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:01:00")]
    public TimeSpan AuthCallTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a workspace may take to reach Running (the Provisioner's wait).</summary>
    [Range(typeof(TimeSpan), "00:00:05", "00:30:00")]
    public TimeSpan ProvisionTimeout { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>k8shelld's handshake, per connection.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:01:00")]
    public TimeSpan DaemonHandshakeTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>keepalive@openssh.com probes to the client; zero turns them off.</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(30);

    [Range(1, 100)]
    public int KeepAliveMaxUnanswered { get; set; } = 3;

    /// <summary>On SIGTERM: how long open sessions may go on before they are closed with a disconnect message.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan ShutdownGrace { get; set; } = TimeSpan.FromSeconds(20);
}
