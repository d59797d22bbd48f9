//! The `tracing` feature: a span per handled message, child of the span the message was sent
//! from. Without the feature this module does not exist and nothing is captured or entered.
//!
//! A message carries its sender's span in its slot ([`Traced`], made by
//! `actor::envelope::slot` at every send). When the message is handled, the handler runs inside
//! `message_span`: an INFO span named `pykka.message` with the actor's class, URN and message
//! type, whose parent is the captured span (a root span if none was current).

/// A sender slot and the span that was current where the message was sent.
pub(crate) struct Traced<S> {
    pub(crate) inner: S,
    pub(crate) span: tracing::Span,
}

impl<S> Traced<S> {
    /// `inner` with the span current on this thread.
    pub(crate) fn capture(inner: S) -> Self {
        Traced {
            inner,
            span: tracing::Span::current(),
        }
    }
}

impl<S> std::fmt::Debug for Traced<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Traced")
            .field("span", &self.span)
            .finish_non_exhaustive()
    }
}

/// The span a handler of actor type `A` runs in, for a message of type `M` sent from `parent`.
pub(crate) fn message_span<A, M>(parent: Option<&tracing::Span>, urn: &str) -> tracing::Span {
    tracing::span!(
        parent: parent.and_then(tracing::Span::id),
        tracing::Level::INFO,
        "pykka.message",
        actor = crate::base::type_name::short_type_name::<A>(),
        urn = urn,
        message = std::any::type_name::<M>(),
    )
}
