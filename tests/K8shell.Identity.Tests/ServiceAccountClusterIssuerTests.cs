using System.Net;
using System.Security.Cryptography;
using Grpc.Core;
using K8shell.Contracts.Identity.V1;
using K8shell.Testing;

namespace K8shell.Identity.Tests;

/// <summary>
/// Service-account callers when the issuer is the API server itself: its documents come over HTTPS with a
/// certificate from the cluster CA, and only to a client showing a bearer token (the pod's own). The tests'
/// issuer plays that part, its certificate signed by a CA made for the run; Identity is given the CA and
/// the token as files, as a pod has them mounted.
/// </summary>
public sealed class ServiceAccountClusterIssuerTests(IdentityFixture identity, ServiceAccountClusterIssuerTests.Cluster cluster)
    : IClassFixture<ServiceAccountClusterIssuerTests.Cluster>
{
    private const string Key = "Identity:Callers:Kubernetes";

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task With_the_cluster_CA_and_the_pod_token_an_allowed_service_account_gets_answers()
    {
        var user = await FindAliceAsync(cluster.Identity, cluster.Issuer.Mint());

        Assert.Equal(1001u, user.Uid);
        // Both documents were asked for with the pod's token; it appears nowhere in what Identity printed.
        var bearer = $"Bearer {cluster.PodToken}";
        Assert.Contains(("/.well-known/openid-configuration", bearer), cluster.Issuer.Requests);
        Assert.Contains(("/openid/v1/jwks", bearer), cluster.Issuer.Requests);
        Assert.DoesNotContain(cluster.PodToken, cluster.Identity.Process.Output);
    }

    [Theory]
    [InlineData("no CaFile", "(trusting the system's CAs; set Identity:Callers:Kubernetes:CaFile to the CA that signed it)")]
    [InlineData("another CA", "(trusting only")]
    [InlineData("a certificate for another name", "RemoteCertificateNameMismatch")]
    public async Task An_issuer_certificate_we_do_not_trust_is_unavailable_naming_the_certificate_problem(string which, string reason)
    {
        var files = cluster.NewDirectory();
        var caFile = which switch
        {
            "no CaFile" => null,
            "another CA" => await WriteAsync(files, "other-ca.crt", OtherCaPem()),
            _ => cluster.CaFile,
        };
        // The cluster CA signed it, but for a name the issuer is not reached by: the host name is still checked.
        await using var renamed = which == "a certificate for another name"
            ? await ServiceAccountIssuer.StartAsync(Cancellation, cluster.Authority.IssueServer(["kubernetes.default.svc"], []))
            : null;
        var issuer = renamed ?? cluster.Issuer;
        await using var service = await identity.StartIdentityAsync(identity.UsersFile, Path.Combine(files, "data"), cluster.Settings(caFile, cluster.TokenFile, issuer.Url));

        var failure = await Assert.ThrowsAsync<RpcException>(() => FindAliceAsync(service, issuer.Mint()));

        Assert.Equal(StatusCode.Unavailable, failure.StatusCode);
        Assert.Contains($"cannot check service-account tokens now: TLS to {issuer.Url}/.well-known/openid-configuration failed", failure.Status.Detail);
        Assert.Contains("The remote certificate is invalid", failure.Status.Detail);
        Assert.Contains(reason, failure.Status.Detail);
        Assert.DoesNotContain(cluster.PodToken, service.Process.Output);
    }

    [Fact]
    public async Task A_refused_pod_token_is_unavailable_saying_so_and_the_rotated_one_is_read_on_the_next_fetch()
    {
        var files = cluster.NewDirectory();
        var stale = Convert.ToHexString(RandomNumberGenerator.GetBytes(24));
        var tokenFile = await WriteAsync(files, "token", stale);
        await using var service = await identity.StartIdentityAsync(identity.UsersFile, Path.Combine(files, "data"), cluster.Settings(cluster.CaFile, tokenFile));
        var token = cluster.Issuer.Mint();

        var failure = await Assert.ThrowsAsync<RpcException>(() => FindAliceAsync(service, token));

        Assert.Equal(StatusCode.Unavailable, failure.StatusCode);
        Assert.Contains($"{cluster.Issuer.Url}/.well-known/openid-configuration answered HTTP 401 Unauthorized (it refused the token from {tokenFile}: expired, or not one it accepts)", failure.Status.Detail);

        // The kubelet writes a fresh token into the file; the next fetch (due 5 s after the failed one) reads it.
        await WriteAsync(files, "token", cluster.PodToken);
        var user = await AnsweredWithinAsync(service, token, TimeSpan.FromSeconds(20));

        Assert.Equal(1001u, user.Uid);
        Assert.Contains(("/.well-known/openid-configuration", $"Bearer {stale}"), cluster.Issuer.Requests);
        Assert.Contains(("/openid/v1/jwks", $"Bearer {cluster.PodToken}"), cluster.Issuer.Requests);
        Assert.DoesNotContain(stale, service.Process.Output);
        Assert.DoesNotContain(cluster.PodToken, service.Process.Output);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_pod_token_goes_to_a_jwks_uri_elsewhere_only_when_configured_as_JwksUrl(bool configured)
    {
        // The same server under another name (its certificate has both): to Identity, another origin.
        await using var issuer = await ServiceAccountIssuer.StartAsync(Cancellation, cluster.Authority.IssueServer(["localhost"], [IPAddress.Loopback]));
        issuer.RequiredBearer = cluster.PodToken;
        var elsewhere = $"{issuer.Url.Replace("127.0.0.1", "localhost")}/openid/v1/jwks";
        issuer.JwksUri = elsewhere;
        var settings = cluster.Settings(cluster.CaFile, cluster.TokenFile, issuer.Url);
        if (configured)
        {
            settings["Identity__Callers__Kubernetes__JwksUrl"] = elsewhere;
        }
        await using var service = await identity.StartIdentityAsync(identity.UsersFile, Path.Combine(cluster.NewDirectory(), "data"), settings);

        var call = FindAliceAsync(service, issuer.Mint());

        if (configured)
        {
            Assert.Equal(1001u, (await call).Uid);
            Assert.Equal([("/openid/v1/jwks", $"Bearer {cluster.PodToken}")], issuer.Requests);
            return;
        }
        var failure = await Assert.ThrowsAsync<RpcException>(() => call);
        Assert.Equal(StatusCode.Unavailable, failure.StatusCode);
        Assert.Contains($"{elsewhere} answered HTTP 401 Unauthorized (the token goes only to the issuer's own address and a configured JwksUrl: set {Key}:JwksUrl to the issuer's keys)", failure.Status.Detail);
        Assert.Equal([("/.well-known/openid-configuration", $"Bearer {cluster.PodToken}"), ("/openid/v1/jwks", "")], issuer.Requests);
    }

    [Theory]
    [InlineData("CaFile", null, "does not exist")]
    [InlineData("CaFile", "not a certificate\n", "holds no PEM certificate")]
    [InlineData("CaFile", "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n", "is not a PEM certificate bundle")]
    [InlineData("TokenFile", null, "does not exist")]
    [InlineData("TokenFile", "\n", "is empty, not a token")]
    [InlineData("TokenFile", "first-secret-half\nsecond-secret-half\n", "holds more than one word or line, not a token")]
    public async Task A_missing_or_unusable_file_stops_the_service_naming_the_key(string key, string? content, string reason)
    {
        var files = cluster.NewDirectory();
        var path = Path.Combine(files, key);
        if (content is not null)
        {
            await File.WriteAllTextAsync(path, content, Cancellation);
        }
        var settings = cluster.Settings(key == "CaFile" ? path : cluster.CaFile, key == "TokenFile" ? path : cluster.TokenFile);

        var output = await identity.RefusedStartAsync(settings);

        Assert.Contains($"{Key}:{key}: '{path}' {reason}", output);
        Assert.DoesNotContain("secret-half", output);
    }

    [Fact]
    public async Task InCluster_uses_the_mounted_CA_and_token_so_without_them_the_service_stops_naming_the_key()
    {
        const string mounted = "/var/run/secrets/kubernetes.io/serviceaccount";
        Assert.SkipWhen(Directory.Exists(mounted), "running in a pod: the service-account files are mounted here");

        var output = await identity.RefusedStartAsync(new()
        {
            ["Identity__Callers__Kubernetes__InCluster"] = "true",
            ["Identity__Callers__Kubernetes__Allowed__0__ServiceAccount"] = "ssh-proxy",
            ["Identity__Callers__Kubernetes__Allowed__0__Namespace"] = "k8shell",
        });

        Assert.Contains($"{Key}:CaFile: '{mounted}/ca.crt' does not exist (InCluster: is the service-account token mounted into the pod?)", output);
        Assert.Contains($"{Key}:TokenFile: '{mounted}/token' does not exist", output);
    }

    [Fact]
    public async Task A_token_file_with_a_plain_http_issuer_stops_the_service()
    {
        var settings = cluster.Settings(null, cluster.TokenFile, "http://127.0.0.1:1");
        settings["Identity__Callers__Kubernetes__RequireHttps"] = "false";

        var output = await identity.RefusedStartAsync(settings);

        Assert.Contains($"{Key}:TokenFile: the token would be sent over plain HTTP; the Issuer and JwksUrl must be https", output);
    }

    /// <summary>Calls until one is answered: a fetch is retried 5 s after a failed one, until then calls fail at once.</summary>
    private async Task<User> AnsweredWithinAsync(ServiceProcess service, string token, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                return await FindAliceAsync(service, token);
            }
            catch (RpcException unavailable) when (unavailable.StatusCode == StatusCode.Unavailable && DateTime.UtcNow < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), Cancellation);
            }
        }
    }

    private async Task<User> FindAliceAsync(ServiceProcess service, string token)
    {
        using var channel = identity.ChannelTo(service, token);
        return await new IdentityService.IdentityServiceClient(channel).FindUserAsync(new FindUserRequest { Username = "alice" }, cancellationToken: Cancellation);
    }

    private static async Task<string> WriteAsync(string directory, string name, string content)
    {
        var path = Path.Combine(directory, name);
        await File.WriteAllTextAsync(path, content, Cancellation);
        return path;
    }

    private static string OtherCaPem()
    {
        using var other = new TestCertificateAuthority("another cluster's CA");
        return other.Pem;
    }

    /// <summary>
    /// The cluster: its CA, the issuer (HTTPS on 127.0.0.1 with a certificate from that CA, demanding the pod's
    /// token), the CA and token files a pod would have mounted, and an Identity given both.
    /// </summary>
    public sealed class Cluster(IdentityFixture identity) : IAsyncLifetime
    {
        private readonly string _directory = Path.Combine(Path.GetDirectoryName(identity.UsersFile)!, $"sa-cluster-{Guid.NewGuid():N}");
        private ServiceAccountIssuer? _issuer;
        private ServiceProcess? _identity;

        public TestCertificateAuthority Authority { get; } = new();

        /// <summary>The pod's own service-account token, as the issuer demands it.</summary>
        public string PodToken { get; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(32));

        public string CaFile => Path.Combine(_directory, "ca.crt");

        public string TokenFile => Path.Combine(_directory, "token");

        public ServiceAccountIssuer Issuer => _issuer ?? throw new InvalidOperationException("not started");

        public ServiceProcess Identity => _identity ?? throw new InvalidOperationException("not started");

        /// <summary>Identity's settings for <paramref name="issuer"/> (ours by default), allowing ssh-proxy in k8shell; null files are left out.</summary>
        public Dictionary<string, string?> Settings(string? caFile, string? tokenFile, string? issuer = null)
        {
            var settings = new Dictionary<string, string?>
            {
                ["Identity__Callers__Kubernetes__Issuer"] = issuer ?? Issuer.Url,
                ["Identity__Callers__Kubernetes__Allowed__0__ServiceAccount"] = "ssh-proxy",
                ["Identity__Callers__Kubernetes__Allowed__0__Namespace"] = "k8shell",
            };
            if (caFile is not null)
            {
                settings["Identity__Callers__Kubernetes__CaFile"] = caFile;
            }
            if (tokenFile is not null)
            {
                settings["Identity__Callers__Kubernetes__TokenFile"] = tokenFile;
            }
            return settings;
        }

        /// <summary>A fresh folder for one test's files and its Identity's data.</summary>
        public string NewDirectory() => Directory.CreateDirectory(Path.Combine(_directory, Guid.NewGuid().ToString("N"))).FullName;

        public async ValueTask InitializeAsync()
        {
            Directory.CreateDirectory(_directory);
            await File.WriteAllTextAsync(CaFile, Authority.Pem);
            // As the kubelet writes it: the token and nothing else, no line break.
            await File.WriteAllTextAsync(TokenFile, PodToken);
            _issuer = await ServiceAccountIssuer.StartAsync(TestContext.Current.CancellationToken, Authority.IssueServer(["localhost"], [IPAddress.Loopback]));
            _issuer.RequiredBearer = PodToken;
            _identity = await identity.StartIdentityAsync(identity.UsersFile, Path.Combine(_directory, "data"), Settings(CaFile, TokenFile));
        }

        public async ValueTask DisposeAsync()
        {
            if (_identity is not null)
            {
                await _identity.DisposeAsync();
            }
            if (_issuer is not null)
            {
                await _issuer.DisposeAsync();
            }
            Authority.Dispose();
        }
    }
}
