namespace K8shell.Ssh.Wire;

/// <summary>Message numbers (RFC 4250 §4.1, RFC 4252, RFC 4254, RFC 8308). One place for all of them.</summary>
public enum SshMessageNumber : byte
{
    // Transport layer generic (1–19)
    Disconnect = 1,
    Ignore = 2,
    Unimplemented = 3,
    Debug = 4,
    ServiceRequest = 5,
    ServiceAccept = 6,
    ExtInfo = 7,

    // Algorithm negotiation (20–29) and key-exchange-method specific (30–49)
    KexInit = 20,
    NewKeys = 21,
    KexEcdhInit = 30,
    KexEcdhReply = 31,

    // User authentication (50–79); 60 is method specific (PK_OK, INFO_REQUEST, PASSWD_CHANGEREQ)
    UserAuthRequest = 50,
    UserAuthFailure = 51,
    UserAuthSuccess = 52,
    UserAuthBanner = 53,
    UserAuthMethodSpecific = 60,
    UserAuthInfoResponse = 61,

    // Connection protocol (80–127)
    GlobalRequest = 80,
    RequestSuccess = 81,
    RequestFailure = 82,
    ChannelOpen = 90,
    ChannelOpenConfirmation = 91,
    ChannelOpenFailure = 92,
    ChannelWindowAdjust = 93,
    ChannelData = 94,
    ChannelExtendedData = 95,
    ChannelEof = 96,
    ChannelClose = 97,
    ChannelRequest = 98,
    ChannelSuccess = 99,
    ChannelFailure = 100,
}

public static class SshMessageNumbers
{
    /// <summary>IGNORE, DEBUG and UNIMPLEMENTED: a receiver may drop them wherever they come (RFC 4253 §11).</summary>
    public static bool IsIgnorable(this SshMessageNumber number) =>
        number is SshMessageNumber.Ignore or SshMessageNumber.Debug or SshMessageNumber.Unimplemented;
}
