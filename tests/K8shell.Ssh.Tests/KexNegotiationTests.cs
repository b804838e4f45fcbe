using K8shell.Ssh.Algorithms;
using K8shell.Ssh.Transport;
using K8shell.Ssh.Wire;

namespace K8shell.Ssh.Tests;

public sealed class KexNegotiationTests
{
    private static readonly KexInitMessage Server = KexInitMessage.ForServer(AlgorithmNames.ServerHostKeys);

    private static KexInitMessage Client(
        string[]? kex = null, string[]? hostKeys = null, string[]? ciphers = null, string[]? macs = null) => new(
        new byte[16],
        kex ?? ["ecdh-sha2-nistp256", "curve25519-sha256", "ext-info-c", "kex-strict-c-v00@openssh.com"],
        hostKeys ?? ["ecdsa-sha2-nistp256", "rsa-sha2-256", "ssh-ed25519"],
        ciphers ?? ["aes128-ctr", "chacha20-poly1305@openssh.com"],
        ciphers ?? ["aes256-gcm@openssh.com"],
        macs ?? ["hmac-sha1", "hmac-sha2-512-etm@openssh.com"],
        macs ?? ["hmac-sha2-512-etm@openssh.com"],
        ["none", "zlib@openssh.com"],
        ["none"],
        FirstKexPacketFollows: false);

    [Fact]
    public void The_clients_first_choice_that_we_offer_wins_in_each_list()
    {
        var negotiated = NegotiatedAlgorithms.Negotiate(Client(), Server, initialKex: true);

        Assert.Equal("curve25519-sha256", negotiated.Kex);
        Assert.Equal("rsa-sha2-256", negotiated.HostKey);
        Assert.Equal("aes128-ctr", negotiated.CipherClientToServer);
        Assert.Equal("hmac-sha2-512-etm@openssh.com", negotiated.MacClientToServer);
        // AEAD in this direction: the MAC list does not apply.
        Assert.Equal("aes256-gcm@openssh.com", negotiated.CipherServerToClient);
        Assert.Null(negotiated.MacServerToClient);
        Assert.Equal("none", negotiated.CompressionClientToServer);
        Assert.True(negotiated.StrictKex);
        Assert.True(negotiated.ClientWantsExtInfo);
    }

    [Fact]
    public void Markers_are_never_chosen_as_methods_and_only_count_in_the_first_kex()
    {
        var markersOnly = Client(kex: ["ext-info-c", "kex-strict-c-v00@openssh.com"]);
        var error = Assert.Throws<SshProtocolException>(() => NegotiatedAlgorithms.Negotiate(markersOnly, Server, initialKex: true));
        Assert.Equal(SshDisconnectReason.KeyExchangeFailed, error.Reason);

        var rekey = NegotiatedAlgorithms.Negotiate(Client(), Server, initialKex: false);
        Assert.False(rekey.StrictKex);
        Assert.False(rekey.ClientWantsExtInfo);
    }

    [Fact]
    public void A_client_that_only_offers_weak_ciphers_is_told_what_we_support()
    {
        var legacy = Client(ciphers: ["aes128-cbc", "3des-cbc"]);
        var error = Assert.Throws<SshProtocolException>(() => NegotiatedAlgorithms.Negotiate(legacy, Server, initialKex: true));
        Assert.Equal(SshDisconnectReason.KeyExchangeFailed, error.Reason);
        Assert.Equal(
            "no common cipher (client to server): client offers aes128-cbc,3des-cbc; server supports " +
            "chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-gcm@openssh.com,aes256-ctr,aes192-ctr,aes128-ctr",
            error.Message);
    }

    [Fact]
    public void Our_kexinit_parses_back_to_the_same_offer()
    {
        var parsed = KexInitMessage.Parse(SshWriter.Serialize(Server.WriteTo));

        Assert.Equal(Server.Cookie, parsed.Cookie);
        Assert.Equal(AlgorithmNames.ServerKex, parsed.KexAlgorithms);
        Assert.Equal(AlgorithmNames.ServerCiphers, parsed.CiphersServerToClient);
        Assert.Equal(AlgorithmNames.ServerMacs, parsed.MacsClientToServer);
        Assert.False(parsed.FirstKexPacketFollows);
    }

    [Fact]
    public void Our_offer_has_nothing_sha1_cbc_or_nist_kex()
    {
        var everything = AlgorithmNames.ServerKex.Concat(AlgorithmNames.ServerHostKeys)
            .Concat(AlgorithmNames.ServerCiphers).Concat(AlgorithmNames.ServerMacs);
        Assert.DoesNotContain(everything, name => name.Contains("sha1") || name.EndsWith("-cbc") || name.StartsWith("ecdh-sha2-nistp"));
    }
}
