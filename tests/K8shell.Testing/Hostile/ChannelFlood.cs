using System.Globalization;

namespace K8shell.Testing.Hostile;

/// <summary>
/// A client that opens many session channels in one burst, never waiting for an answer and never closing one:
/// a paramiko script body that runs with <c>t</c>, an authenticated paramiko Transport, and prints what came back.
/// </summary>
public static class ChannelFlood
{
    /// <summary>Sends <paramref name="count"/> CHANNEL_OPENs, waits (60 s at most) for every answer, prints them; ends with a newline, for what follows.</summary>
    public static string Script(int count) => $$"""
        import threading
        from paramiko.common import cMSG_CHANNEL_OPEN, MSG_CHANNEL_OPEN_SUCCESS, MSG_CHANNEL_OPEN_FAILURE
        from paramiko.message import Message
        count = {{count}}
        opened, refused, answered = [0], {}, threading.Event()
        def tally():
            if opened[0] + sum(refused.values()) == count:
                answered.set()
        def on_success(self, m):
            opened[0] += 1
            tally()
        def on_failure(self, m):
            m.get_int()
            reason = "%d %s" % (m.get_int(), m.get_text())
            refused[reason] = refused.get(reason, 0) + 1
            tally()
        # paramiko drops answers to channels it did not open itself: count them in its handler table instead.
        table = dict(t._handler_table)
        table[MSG_CHANNEL_OPEN_SUCCESS] = on_success
        table[MSG_CHANNEL_OPEN_FAILURE] = on_failure
        t._handler_table = table
        for i in range(count):
            m = Message()
            m.add_byte(cMSG_CHANNEL_OPEN)
            m.add_string("session")
            m.add_int(i)
            m.add_int(2097152)
            m.add_int(32768)
            t._send_user_message(m)
        answered.wait(60)
        print("opened", opened[0])
        for reason, times in refused.items():
            print("refused", times, reason)
        print("connected", t.is_active())

        """;

    /// <summary>What <see cref="Script"/> printed: channels opened, refusals by "code text", whether the connection was still up.</summary>
    public static (int Opened, IReadOnlyDictionary<string, int> Refused, bool Connected) Parse(string output)
    {
        var opened = 0;
        var refused = new Dictionary<string, int>();
        var connected = false;
        foreach (var line in output.Split('\n'))
        {
            var words = line.Split(' ', 3);
            switch (words[0])
            {
                case "opened":
                    opened = int.Parse(words[1], CultureInfo.InvariantCulture);
                    break;
                case "refused" when words.Length == 3:
                    refused[words[2]] = int.Parse(words[1], CultureInfo.InvariantCulture);
                    break;
                case "connected":
                    connected = words[1] == "True";
                    break;
            }
        }
        return (opened, refused, connected);
    }
}
