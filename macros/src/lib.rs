//! The `#[proxy]` attribute of `pykka`, re-exported as `pykka::proxy`. See its documentation
//! there; this crate has no other public item.

use proc_macro::TokenStream;
use syn::Item;

mod attrs;
mod proxy_methods;
mod proxy_type;

/// Typed proxies: `proxy.add(1, 3)` returning `Future<i32>`, checked by the compiler.
///
/// Put `#[pykka::proxy]` on the actor's struct **and** on its impl block (in the same module).
/// On the struct it defines `<Name>Proxy<A = Name>`, a typed wrapper around
/// `ActorProxy<A, Name>` (which it dereferences to, for `call`, `defer`, `actor_ref`, `stop`),
/// with for each public named field:
/// - `field(&self) -> Future<T>`: a clone of the field, read inside the actor, in mailbox order
///   (Pykka's attribute read); `T` must be `Clone`;
/// - `set_field(&self, value: T) -> Future<()>`: Pykka's attribute write (`.get()` to wait
///   for it, as Pykka's blocking assignment does); `set_field_defer(value)`, its told form;
/// - or, for a field marked `#[proxy(traversable)]`, `field(&self) -> FieldTypeProxy<A>`: a
///   nested proxy whose calls run inside the actor (Pykka's traversable attributes, to any
///   depth). The field's type needs `#[pykka::proxy(traversable)]` itself.
///
/// On the impl block it adds, for each public method taking `&self` or `&mut self`:
/// - `method(&self, args..) -> Future<R>`: ask semantics (a panic fails the future; the actor
///   lives on);
/// - `method_defer(&self, args..) -> Result<(), ActorDeadError>`: tell semantics (a panic is
///   logged, stops the actor and runs `on_failure`).
///
/// A parameter `ctx: &mut Context<Self>` is filled in by the actor, not passed by the caller.
/// Private items, associated functions (no `self`) and items marked `#[proxy(skip)]` are left
/// out. `ActorRef::typed_proxy()` gives the typed proxy of a running actor.
///
/// The two halves meet by name, so a method named like a generated accessor (`set_volume`
/// beside a public field `volume`) is a duplicate definition: rename the method, or mark the
/// field `#[proxy(skip)]`. Proxy methods named `call`, `defer`, `stop` or `actor_ref` hide the
/// `ActorProxy` methods of the same name (reach those through `*proxy`).
///
/// ```
/// use pykka::{Actor, Future};
///
/// #[pykka::proxy]
/// struct Player {
///     pub volume: u8,
///     #[proxy(traversable)]
///     pub playback: Playback,
/// }
///
/// #[pykka::proxy]
/// impl Player {
///     pub fn louder(&mut self, by: u8) -> u8 {
///         self.volume = self.volume.saturating_add(by);
///         self.volume
///     }
/// }
///
/// impl Actor for Player {}
///
/// #[pykka::proxy(traversable)]
/// struct Playback {
///     pub playing: bool,
/// }
///
/// #[pykka::proxy]
/// impl Playback {
///     pub fn play(&mut self) {
///         self.playing = true;
///     }
/// }
///
/// let player = Player { volume: 10, playback: Playback { playing: false } }.start();
/// let proxy: PlayerProxy = player.typed_proxy().unwrap();
/// let louder: Future<u8> = proxy.louder(5);
/// assert_eq!(louder.get().unwrap(), 15);
/// proxy.set_volume(1).get().unwrap();
/// assert_eq!(proxy.volume().get().unwrap(), 1);
/// proxy.playback().play_defer().unwrap();                 // nested, told
/// assert!(proxy.playback().playing().get().unwrap());     // runs after it
/// assert!(proxy.stop().get().unwrap());
/// ```
///
/// What cannot be proxied is a compile error naming the method. A generic method:
///
/// ```compile_fail
/// #[pykka::proxy]
/// struct Store;
/// #[pykka::proxy]
/// impl Store {
///     pub fn put<T: Send + 'static>(&mut self, _value: T) {}
/// }
/// ```
///
/// A method taking `self` by value (the actor cannot leave its mailbox):
///
/// ```compile_fail
/// #[pykka::proxy]
/// struct Store;
/// #[pykka::proxy]
/// impl Store {
///     pub fn into_parts(self) {}
/// }
/// ```
///
/// A borrowed argument (the call runs later, on another thread):
///
/// ```compile_fail
/// #[pykka::proxy]
/// struct Greeter;
/// #[pykka::proxy]
/// impl Greeter {
///     pub fn greet(&mut self, _name: &str) {}
/// }
/// impl pykka::Actor for Greeter {}
/// ```
///
/// An argument that cannot be sent to another thread:
///
/// ```compile_fail
/// use std::rc::Rc;
/// #[pykka::proxy]
/// struct Counter;
/// #[pykka::proxy]
/// impl Counter {
///     pub fn add(&mut self, _n: Rc<u32>) {}
/// }
/// impl pykka::Actor for Counter {}
/// ```
///
/// The same methods compile when marked `#[proxy(skip)]` or made private:
///
/// ```
/// use std::rc::Rc;
/// #[pykka::proxy]
/// struct Counter;
/// #[pykka::proxy]
/// impl Counter {
///     #[proxy(skip)]
///     pub fn add(&mut self, _n: Rc<u32>) {}
///     fn put<T>(&mut self, _value: T) {}
///     #[proxy(skip)]
///     pub fn into_parts(self) -> Self { self }
/// }
/// impl pykka::Actor for Counter {}
/// ```
#[proc_macro_attribute]
pub fn proxy(args: TokenStream, input: TokenStream) -> TokenStream {
    let item = syn::parse_macro_input!(input as Item);
    let result = match item {
        Item::Impl(imp) => {
            if args.is_empty() {
                proxy_methods::expand(imp)
            } else {
                Err(syn::Error::new(
                    proc_macro2::Span::call_site(),
                    "`#[pykka::proxy]` on an impl block takes no options",
                ))
            }
        }
        other => syn::parse::<attrs::ItemOptions>(args)
            .and_then(|options| proxy_type::expand(options, other)),
    };
    result.unwrap_or_else(syn::Error::into_compile_error).into()
}
