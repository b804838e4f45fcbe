using K8shell.ServiceDefaults;
using K8shell.SshProxy.Admission;
using K8shell.SshProxy.Admission.Bans;
using K8shell.SshProxy.Admission.Failures;
using K8shell.SshProxy.Admission.Limits;
using K8shell.SshProxy.Admission.ProxyProtocol;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace K8shell.SshProxy.Tests.Admission;

public sealed class AdmissionRegistrationTests
{
    private static IHost Build(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:nats"] = "nats://127.0.0.1:4222" });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddNatsClient("nats");
        builder.AddAdmission();
        return builder.Build();
    }

    [Fact]
    public void Defaults_follow_the_spec_and_every_part_resolves()
    {
        using var host = Build([]);
        var services = host.Services;

        Assert.Empty(services.GetRequiredService<IOptions<ProxyProtocolOptions>>().Value.TrustedNetworks);
        var limits = services.GetRequiredService<IOptions<StartupLimitOptions>>().Value;
        Assert.Equal((10, 100), (limits.MaxStartupsPerIp, limits.MaxStartups));
        Assert.Equal("ssh-bans", services.GetRequiredService<IOptions<BanOptions>>().Value.Bucket);
        var failures = services.GetRequiredService<IOptions<FailureOptions>>().Value;
        Assert.Equal(("ssh.failures", true, 10_000), (failures.Subject, failures.PublicIpOnly, failures.BufferSize));

        Assert.NotNull(services.GetRequiredService<ProxyHeaderReader>());
        Assert.NotNull(services.GetRequiredService<StartupLimiter>());
        var hosted = services.GetServices<IHostedService>().ToList();
        Assert.Contains(services.GetRequiredService<BanList>(), hosted);
        Assert.Contains(services.GetRequiredService<FailurePublisher>(), hosted);
    }

    [Theory]
    [InlineData("SshProxy:ProxyProtocol:TrustedNetworks:0", "10.0.0.1/8", "SshProxy:ProxyProtocol:TrustedNetworks:0 must be a CIDR")]
    [InlineData("SshProxy:ProxyProtocol:HeaderTimeout", "00:00:00", "SshProxy:ProxyProtocol:HeaderTimeout must be positive")]
    [InlineData("SshProxy:Limits:MaxStartupsPerIp", "0", "SshProxy:Limits:MaxStartupsPerIp must be at least 1 (got 0)")]
    [InlineData("SshProxy:Limits:MaxStartups", "-1", "SshProxy:Limits:MaxStartups must be at least 1 (got -1)")]
    [InlineData("SshProxy:Bans:Bucket", "ssh.bans", "SshProxy:Bans:Bucket must be a KV bucket name")]
    [InlineData("SshProxy:Failures:Subject", "ssh.>", "SshProxy:Failures:Subject must be a NATS subject")]
    [InlineData("SshProxy:Failures:Whitelist:0", "office", "SshProxy:Failures:Whitelist:0 must be a CIDR")]
    [InlineData("SshProxy:Failures:BufferSize", "0", "SshProxy:Failures:BufferSize must be at least 1 (got 0)")]
    public async Task A_bad_value_stops_the_start_with_a_message_naming_the_key(string key, string value, string expected)
    {
        using var host = Build(new() { [key] = value });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));
        Assert.Contains(expected, error.Message);
    }
}
