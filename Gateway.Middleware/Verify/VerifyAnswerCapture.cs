


namespace Gateway.Middleware.Verify;

/// <summary>
/// The client's response body while a legacy verify answer passes through it: every byte goes on unchanged, and the
/// first <see cref="Limit"/> are kept for the policy's <c>VerifySuccessWhen</c> test. A longer body is marked as such.
/// </summary>
internal sealed class VerifyAnswerCapture(Stream inner) : Stream
{
    /// <summary>The most of an answer kept for the test.</summary>
    public const int Limit = 64 * 1024;

    private readonly MemoryStream _kept = new();

    public Stream Inner => inner;

    /// <summary>True when the answer was longer than <see cref="Limit"/>: the test cannot pass.</summary>
    public bool Overflowed { get; private set; }

    public ReadOnlySpan<byte> Kept => _kept.GetBuffer().AsSpan(0, (int)_kept.Length);

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Keep(buffer);
        inner.Write(buffer);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Keep(buffer.Span);
        return inner.WriteAsync(buffer, cancellationToken);
    }

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _kept.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Keep(ReadOnlySpan<byte> buffer)
    {
        if (Overflowed)
        {
            return;
        }

        if (_kept.Length + buffer.Length > Limit)
        {
            Overflowed = true;
            return;
        }

        _kept.Write(buffer);
    }
}
