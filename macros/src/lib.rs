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
/// An `async fn` is proxied too: its future is polled inside the actor, which handles nothing
/// else until it completes and holds no pool thread while it waits (see `AsyncReceive`):
///
/// ```
/// use std::time::Duration;
///
/// #[pykka::proxy]
/// struct Fetcher { pub fetched: u32 }
///
/// #[pykka::proxy]
/// impl Fetcher {
///     pub async fn fetch(&mut self, delay_ms: u64) -> u32 {
///         pykka::sleep(Duration::from_millis(delay_ms)).await.unwrap();
///         self.fetched += 1;
///         self.fetched
///     }
/// }
/// impl pykka::Actor for Fetcher {}
///
/// use pykka::Actor;
/// let f = Fetcher { fetched: 0 }.start();
/// let proxy: FetcherProxy = f.typed_proxy().unwrap();
/// assert_eq!(proxy.fetch(1).get().unwrap(), 1);
/// proxy.fetch_defer(1).unwrap();
/// assert_eq!(proxy.fetched().get().unwrap(), 2); // runs after the deferred fetch
/// f.stop();
/// ```
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
/// A generic actor gets a generic proxy: `struct Producer<C: Consumer>` gives
/// `ProducerProxy<C, A = Producer<C>>` (its own parameters, then the actor it lives in), and
/// the impl block's methods (`impl<C: Consumer> Producer<C>`) are on it. Lifetime parameters
/// cannot be (an actor is `'static`), nor can generic methods. The generated code names its own
/// items so that they never collide with the program's: an actor may be called `A` or
/// `Context`, a parameter `t` or `ctx`.
///
/// ```
/// use pykka::Actor;
///
/// pub trait Consumer: Send + 'static {
///     fn consume(&mut self, item: u32);
/// }
///
/// #[pykka::proxy]
/// struct Producer<C: Consumer> {
///     consumer: C,
///     pub produced: u32,
/// }
///
/// #[pykka::proxy]
/// impl<C: Consumer> Producer<C> {
///     pub fn produce(&mut self) {
///         self.consumer.consume(1);
///         self.produced += 1;
///     }
/// }
///
/// impl<C: Consumer> Actor for Producer<C> {}
///
/// struct Mock(std::sync::mpsc::Sender<u32>);
/// impl Consumer for Mock {
///     fn consume(&mut self, item: u32) { self.0.send(item).unwrap(); }
/// }
///
/// let (tx, rx) = std::sync::mpsc::channel();
/// let producer = Producer { consumer: Mock(tx), produced: 0 }.start();
/// let proxy: ProducerProxy<Mock> = producer.typed_proxy().unwrap();
/// proxy.produce().get().unwrap();
/// assert_eq!(rx.recv().unwrap(), 1);
/// assert_eq!(proxy.produced().get().unwrap(), 1);
/// producer.stop();
/// ```
///
/// An item the macro cannot take is reported at that item, and the rest of the struct or block
/// is still generated, so one mistake is one error (not one more per use of the proxy).
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
/// An `unsafe` method (the proxy would hide its contract):
///
/// ```compile_fail
/// #[pykka::proxy]
/// struct Fetcher;
/// #[pykka::proxy]
/// impl Fetcher {
///     pub unsafe fn fetch(&mut self) -> u32 { 1 }
/// }
/// impl pykka::Actor for Fetcher {}
/// ```
///
/// A public field whose type is not `Clone` (its getter returns a clone); the error says to mark
/// it `#[proxy(skip)]`:
///
/// ```compile_fail
/// #[pykka::proxy]
/// struct Holder {
///     pub handle: std::fs::File,
/// }
/// impl pykka::Actor for Holder {}
/// ```
///
/// ```
/// #[pykka::proxy]
/// struct Holder {
///     #[proxy(skip)]
///     pub handle: std::fs::File,
/// }
/// impl pykka::Actor for Holder {}
/// ```
///
/// A type with a lifetime parameter (an actor is `'static`):
///
/// ```compile_fail
/// #[pykka::proxy]
/// struct View<'a> {
///     pub text: &'a str,
/// }
/// ```
///
/// An unknown option, on the item or on a member, and `traversable` on a method:
///
/// ```compile_fail
/// #[pykka::proxy(travesrable)]
/// struct Inner;
/// ```
///
/// ```compile_fail
/// #[pykka::proxy]
/// struct Player {
///     #[proxy(skipp)]
///     pub volume: u8,
/// }
/// impl pykka::Actor for Player {}
/// ```
///
/// ```compile_fail
/// #[pykka::proxy]
/// struct Player;
/// #[pykka::proxy]
/// impl Player {
///     #[proxy(traversable)]
///     pub fn volume(&self) -> u8 { 0 }
/// }
/// impl pykka::Actor for Player {}
/// ```
///
/// A trait impl (the proxy's methods come from the actor's own impl block):
///
/// ```compile_fail
/// #[pykka::proxy]
/// struct Player;
/// #[pykka::proxy]
/// impl Clone for Player {
///     fn clone(&self) -> Self { Player }
/// }
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
    expand(args.into(), item).into()
}

/// The whole expansion. Whatever is wrong, the item itself is emitted (without the
/// `#[proxy(...)]` attributes only this macro reads), so that an error stands alone instead of
/// every use of the type failing too.
fn expand(args: proc_macro2::TokenStream, item: Item) -> proc_macro2::TokenStream {
    let mut original = item.clone();
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
        other => syn::parse2::<attrs::ItemOptions>(args)
            .and_then(|options| proxy_type::expand(options, other)),
    };
    result.unwrap_or_else(|e| {
        strip_member_attrs(&mut original);
        let error = e.into_compile_error();
        quote::quote!(#original #error)
    })
}

/// Removes the `#[proxy(...)]` attributes of fields and methods (which only this macro reads).
fn strip_member_attrs(item: &mut Item) {
    let strip = |attrs: &mut Vec<syn::Attribute>| attrs.retain(|a| !a.path().is_ident("proxy"));
    match item {
        Item::Impl(imp) => {
            for i in &mut imp.items {
                if let syn::ImplItem::Fn(f) = i {
                    strip(&mut f.attrs);
                }
            }
        }
        Item::Struct(s) => s.fields.iter_mut().for_each(|f| strip(&mut f.attrs)),
        Item::Enum(e) => e
            .variants
            .iter_mut()
            .flat_map(|v| v.fields.iter_mut())
            .for_each(|f| strip(&mut f.attrs)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::expand;
    use quote::quote;

    fn expanded(args: proc_macro2::TokenStream, item: proc_macro2::TokenStream) -> String {
        expand(args, syn::parse2(item).unwrap()).to_string()
    }

    fn errors(out: &str) -> usize {
        out.matches("compile_error").count()
    }

    #[test]
    fn a_method_that_cannot_be_proxied_is_one_error_and_the_rest_is_generated() {
        let out = expanded(
            quote!(),
            quote! {
                impl Store {
                    pub unsafe fn fetch(&self) -> u32 { 1 }
                    pub fn put(&mut self, v: u32) { self.v = v; }
                    pub fn into_parts(self) {}
                }
            },
        );
        assert_eq!(errors(&out), 2, "{out}");
        assert!(
            out.contains("impl Store"),
            "the block itself is emitted: {out}"
        );
        assert!(
            out.contains("fn put (& self"),
            "the good method is generated: {out}"
        );
        assert!(out.contains("fn put_defer"), "{out}");
        assert!(!out.contains("fn fetch_defer"), "{out}");
        assert!(out.contains("is unsafe"), "{out}");
    }

    #[test]
    fn a_field_with_a_bad_option_is_one_error_and_the_rest_is_generated() {
        let out = expanded(
            quote!(),
            quote! {
                struct Store {
                    #[proxy(sikp)]
                    pub a: u32,
                    pub b: u32,
                }
            },
        );
        assert_eq!(errors(&out), 1, "{out}");
        assert!(out.contains("struct StoreProxy"), "{out}");
        assert!(out.contains("fn b (& self)"), "{out}");
        assert!(
            !out.contains("proxy (sikp)"),
            "the attribute is removed: {out}"
        );
    }

    #[test]
    fn an_item_the_macro_cannot_take_is_still_emitted_without_its_proxy_attributes() {
        let out = expanded(
            quote!(),
            quote! {
                impl Clone for Store {
                    #[proxy(skip)]
                    fn clone(&self) -> Self { Store }
                }
            },
        );
        assert_eq!(errors(&out), 1, "{out}");
        assert!(out.contains("impl Clone for Store"), "{out}");
        assert!(!out.contains("proxy (skip)"), "{out}");
        let out = expanded(
            quote!(unknown),
            quote!(
                struct Store;
            ),
        );
        assert_eq!(errors(&out), 1, "{out}");
        assert!(out.contains("struct Store ;"), "{out}");
    }

    #[test]
    fn generated_names_cannot_collide_with_the_programs() {
        let out = expanded(
            quote!(),
            quote! {
                impl A {
                    pub fn f(&mut self, t: u32, ctx: u32) -> u32 { t + ctx }
                }
            },
        );
        assert_eq!(errors(&out), 0, "{out}");
        assert!(
            out.contains("impl < __PykkaActor : :: pykka :: Actor > AProxy < __PykkaActor >"),
            "{out}"
        );
        assert!(out.contains("__pykka_value . f (t , ctx)"), "{out}");
    }
}
