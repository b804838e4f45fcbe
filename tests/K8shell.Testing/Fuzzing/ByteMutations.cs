namespace K8shell.Testing.Fuzzing;

/// <summary>
/// Turns a valid input into a nearly valid one, the way bugs are found: bit flips, truncations, a huge or
/// zero value where a length field might be, inserted random bytes, a removed slice, or pure noise.
/// </summary>
public static class ByteMutations
{
    public static byte[] Mutate(byte[] seed, Random random)
    {
        var bytes = seed.ToList();
        switch (random.Next(6))
        {
            case 0: // flip bits
                for (var i = random.Next(1, 4); i > 0 && bytes.Count > 0; i--)
                {
                    bytes[random.Next(bytes.Count)] ^= (byte)(1 << random.Next(8));
                }
                break;
            case 1: // truncate
                bytes = bytes.Take(random.Next(bytes.Count + 1)).ToList();
                break;
            case 2: // a huge or zero length where a length might be
                if (bytes.Count >= 5)
                {
                    var at = random.Next(bytes.Count - 4);
                    var value = random.Next(3) switch { 0 => uint.MaxValue, 1 => 0u, _ => (uint)random.Next() };
                    bytes[at] = (byte)(value >> 24);
                    bytes[at + 1] = (byte)(value >> 16);
                    bytes[at + 2] = (byte)(value >> 8);
                    bytes[at + 3] = (byte)value;
                }
                break;
            case 3: // insert random bytes
                bytes.InsertRange(random.Next(bytes.Count + 1), Enumerable.Range(0, random.Next(1, 16)).Select(_ => (byte)random.Next(256)));
                break;
            case 4: // remove a slice
                if (bytes.Count > 1)
                {
                    var from = random.Next(bytes.Count);
                    bytes.RemoveRange(from, random.Next(1, bytes.Count - from + 1));
                }
                break;
            default: // pure noise
                return Enumerable.Range(0, random.Next(64)).Select(_ => (byte)random.Next(256)).ToArray();
        }
        return [.. bytes];
    }
}
