//! `#[ringio::main]` and `#[ringio::test]`: run an `async fn` on a ringio
//! runtime.
//!
//! Use them through the `ringio` crate (feature `macros`, on by default), not
//! this crate directly. The expansion names the runtime by the absolute path
//! `::ringio`, so no `use` is needed, but the dependency must be called
//! `ringio`; if it is renamed (or re-exported), say where it is with
//! `crate = path`:
//!
//! ```
//! # extern crate ringio as my_ringio;
//! #[my_ringio::main(crate = my_ringio)]
//! async fn main() {
//!     my_ringio::nop().await.unwrap();
//! }
//! ```
//!
//! # Arguments
//!
//! Both attributes take the same, optional, comma-separated arguments:
//!
//! - `entries = N`: the submission queue size, an integer literal from 1 to
//!   4294967295 (see `ringio::Builder::entries`). Without it the runtime is the
//!   default one of `ringio::run`.
//! - `crate = path`: where the `ringio` crate is, `::ringio` by default.
#![deny(missing_docs)]
#![warn(rust_2018_idioms, unreachable_pub)]

use proc_macro::TokenStream;
use proc_macro2::{Literal, TokenStream as TokenStream2, TokenTree};
use quote::{quote, ToTokens};
use syn::ext::IdentExt;
use syn::parse::{ParseStream, Parser};
use syn::{AttrStyle, Attribute, Expr, ExprLit, Ident, ItemFn, Lit, Path, Token};

/// Runs an `async fn` on a ringio runtime: `#[ringio::main] async fn main()`.
///
/// The function becomes a plain, blocking `fn` with the same name,
/// visibility, attributes and return type. Calling it starts a runtime on the
/// calling thread and blocks on the original body until it finishes. Any
/// return type works, `Result<(), E>` and `impl Trait` included: the body
/// stays an `async fn` of its own, so `?`, `return` and coercions behave as
/// written. The function must be `async`, not `unsafe`, and take neither
/// parameters nor generics; its name is free, so it need not be `main`.
///
/// Without arguments the body runs through `ringio::run`. With `entries = N`
/// the runtime is `ringio::Builder::new().entries(N).build()`. Either way the
/// runtime falls back to epoll where io_uring is unavailable, and the
/// function panics when no runtime can be built (with the error's message)
/// and when called inside a ringio runtime.
/// See the [crate documentation](crate) for `crate = path`.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// #[ringio::main]
/// async fn main() {
///     let task = ringio::spawn(async { 6 * 7 });
///     ringio::time::sleep(Duration::from_millis(1)).await;
///     assert_eq!(task.await.unwrap(), 42);
/// }
/// ```
///
/// Returning an error, on a runtime with a submission queue of 64 entries:
///
/// ```
/// use std::error::Error;
///
/// #[ringio::main(entries = 64)]
/// async fn main() -> Result<(), Box<dyn Error>> {
///     ringio::nop().await?;
///     let n: u32 = "64".parse()?;
///     assert_eq!(n, 64);
///     Ok(())
/// }
/// ```
///
/// That one expands to:
///
/// ```
/// # use std::error::Error;
/// fn main() -> Result<(), Box<dyn Error>> {
///     async fn __ringio_main() -> Result<(), Box<dyn Error>> {
///         ringio::nop().await?;
///         let n: u32 = "64".parse()?;
///         assert_eq!(n, 64);
///         Ok(())
///     }
///     let __ringio_body = __ringio_main();
///     match ::ringio::Builder::new().entries(64).build() {
///         ::core::result::Result::Ok(__ringio_runtime) => {
///             __ringio_runtime.block_on(__ringio_body)
///         }
///         ::core::result::Result::Err(__ringio_error) => {
///             ::core::panic!("{}", __ringio_error)
///         }
///     }
/// }
/// ```
///
/// A nested function cannot name `Self`: when the signature or body does (an
/// associated function in an `impl` block), the body becomes
/// `let __ringio_body = async move { ... };` instead.
#[proc_macro_attribute]
pub fn main(args: TokenStream, item: TokenStream) -> TokenStream {
    entry(Kind::Main, args.into(), item.into()).into()
}

/// Runs an `async fn` test on its own ringio runtime:
/// `#[ringio::test] async fn name()`.
///
/// The function becomes a `#[test] fn` with the same name, which starts a
/// fresh runtime (one per test, on the test's thread) and blocks on the
/// original body. Other attributes stay, after `#[test]`: `#[should_panic]`,
/// `#[ignore]`, docs, lints. The test may return what the test harness
/// accepts, such as `Result<(), E>`. Do not add `#[test]` yourself: the
/// attribute does, and rejects a second one.
///
/// The arguments (`entries = N`, `crate = path`), the rules on the function
/// and the panics are those of [`main`](macro@main).
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// #[ringio::test]
/// async fn sleeps() {
///     ringio::time::sleep(Duration::from_millis(1)).await;
/// }
///
/// #[ringio::test(entries = 8)]
/// async fn returns_a_result() -> std::io::Result<()> {
///     ringio::nop().await
/// }
///
/// #[ringio::test]
/// #[should_panic(expected = "boom")]
/// async fn panics() {
///     panic!("boom");
/// }
/// # fn main() {}
/// ```
///
/// The first one expands to:
///
/// ```
/// # use std::time::Duration;
/// #[::core::prelude::v1::test]
/// fn sleeps() {
///     async fn __ringio_main() {
///         ringio::time::sleep(Duration::from_millis(1)).await;
///     }
///     let __ringio_body = __ringio_main();
///     ::ringio::run(__ringio_body)
/// }
/// # fn main() {}
/// ```
#[proc_macro_attribute]
pub fn test(args: TokenStream, item: TokenStream) -> TokenStream {
    entry(Kind::Test, args.into(), item.into()).into()
}

/// Which attribute is expanding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Main,
    Test,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Main => "main",
            Kind::Test => "test",
        }
    }
}

/// The attribute's arguments.
#[derive(Default)]
struct Args {
    /// `entries = N`.
    entries: Option<u32>,
    /// `crate = path`.
    krate: Option<Path>,
}

/// Expands the attribute, or reports its errors next to the unchanged item
/// (so that the rest of the code still resolves, for the compiler and IDEs).
fn entry(kind: Kind, args: TokenStream2, item: TokenStream2) -> TokenStream2 {
    match expand(kind, args, item.clone()) {
        Ok(tokens) => tokens,
        Err(error) => {
            let error = error.into_compile_error();
            quote! { #error #item }
        }
    }
}

/// Parses `entries = N, crate = path` (each optional, in any order).
fn parse_args(kind: Kind, args: TokenStream2) -> syn::Result<Args> {
    let parser = |input: ParseStream<'_>| {
        let mut args = Args::default();
        while !input.is_empty() {
            // `crate` is a keyword: take any identifier.
            let name = input
                .call(Ident::parse_any)
                .map_err(|e| syn::Error::new(e.span(), format!("{}; {}", e, accepted(kind))))?;
            let key = name.to_string();
            if key != "entries" && key != "crate" {
                return Err(syn::Error::new(
                    name.span(),
                    format!("unknown argument `{key}`: {}", accepted(kind)),
                ));
            }
            let duplicate = match key.as_str() {
                "entries" => args.entries.is_some(),
                _ => args.krate.is_some(),
            };
            if duplicate {
                return Err(syn::Error::new(
                    name.span(),
                    format!("duplicate argument `{key}`"),
                ));
            }
            if !input.peek(Token![=]) {
                let example = if key == "entries" { "N" } else { "path" };
                return Err(syn::Error::new(
                    name.span(),
                    format!("expected `=`: write `{key} = {example}`"),
                ));
            }
            let eq = input.parse::<Token![=]>()?;
            if key == "entries" {
                args.entries = Some(parse_entries(input, eq)?);
            } else {
                if input.is_empty() || input.peek(Token![,]) {
                    return Err(syn::Error::new(
                        eq.span,
                        "expected a path: `crate = path`, e.g. `crate = ringio`",
                    ));
                }
                args.krate = Some(input.call(Path::parse_mod_style)?);
            }
            if !input.is_empty() {
                input.parse::<Token![,]>()?;
            }
        }
        Ok(args)
    };
    parser.parse2(args)
}

/// What the attribute accepts, for error messages.
fn accepted(kind: Kind) -> String {
    format!(
        "`#[ringio::{}]` accepts `entries = N` and `crate = path`",
        kind.name()
    )
}

/// The value of `entries = N`: an integer literal in `1..=u32::MAX`.
fn parse_entries(input: ParseStream<'_>, eq: Token![=]) -> syn::Result<u32> {
    const EXPECTED: &str = "`entries` must be an integer literal, e.g. `entries = 256`";
    if input.is_empty() || input.peek(Token![,]) {
        return Err(syn::Error::new(eq.span, EXPECTED));
    }
    let value: Expr = input.parse()?;
    let lit = match &value {
        Expr::Lit(ExprLit {
            lit: Lit::Int(lit), ..
        }) => lit,
        _ => return Err(syn::Error::new_spanned(&value, EXPECTED)),
    };
    if !matches!(lit.suffix(), "" | "u32") {
        return Err(syn::Error::new(
            lit.span(),
            "`entries` is a `u32`: write the integer without a suffix",
        ));
    }
    match lit.base10_parse::<u32>() {
        Ok(0) => Err(syn::Error::new(lit.span(), "`entries` must be at least 1")),
        Ok(n) => Ok(n),
        Err(_) => Err(syn::Error::new(
            lit.span(),
            "`entries` must fit in a `u32` (at most 4294967295)",
        )),
    }
}

/// Checks that the function can be run by the attribute: `async`, no
/// parameters, not generic, no `#[test]` of its own for `#[ringio::test]`.
fn check_fn(kind: Kind, func: &ItemFn) -> syn::Result<()> {
    let sig = &func.sig;
    let mut errors: Vec<syn::Error> = Vec::new();
    if sig.asyncness.is_none() {
        errors.push(syn::Error::new_spanned(
            sig.fn_token,
            "the function must be `async`",
        ));
    }
    if let Some(unsafety) = &sig.unsafety {
        errors.push(syn::Error::new_spanned(
            unsafety,
            "the function must not be `unsafe`",
        ));
    }
    if !sig.inputs.is_empty() {
        errors.push(syn::Error::new_spanned(
            &sig.inputs,
            "the function must take no parameters",
        ));
    } else if let Some(variadic) = &sig.variadic {
        errors.push(syn::Error::new_spanned(
            variadic,
            "the function must take no parameters",
        ));
    }
    if !sig.generics.params.is_empty() {
        errors.push(syn::Error::new_spanned(
            &sig.generics,
            "the function must not be generic",
        ));
    } else if let Some(where_clause) = &sig.generics.where_clause {
        errors.push(syn::Error::new_spanned(
            where_clause,
            "the function must not be generic",
        ));
    }
    if kind == Kind::Test {
        if let Some(attr) = func.attrs.iter().find(|a| is_test_attr(a)) {
            errors.push(syn::Error::new_spanned(
                attr,
                "`#[ringio::test]` adds `#[test]` itself: remove this one",
            ));
        }
    }
    let mut errors = errors.into_iter();
    match errors.next() {
        None => Ok(()),
        Some(mut first) => {
            for e in errors {
                first.combine(e);
            }
            Err(first)
        }
    }
}

/// `#[test]` or `#[core::prelude::v1::test]` (and the `std` spelling).
fn is_test_attr(attr: &Attribute) -> bool {
    let path = attr.path();
    let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    match segments.as_slice() {
        [only] => only == "test",
        [krate, prelude, v1, test] => {
            (krate == "core" || krate == "std")
                && prelude == "prelude"
                && v1 == "v1"
                && test == "test"
        }
        _ => false,
    }
}

/// Whether `tokens` mention `Self` anywhere.
fn mentions_self(tokens: TokenStream2) -> bool {
    tokens.into_iter().any(|tt| match tt {
        TokenTree::Ident(ident) => ident == "Self",
        TokenTree::Group(group) => mentions_self(group.stream()),
        _ => false,
    })
}

/// The expansion (or the errors), without the error recovery of [`entry`].
fn expand(kind: Kind, args: TokenStream2, item: TokenStream2) -> syn::Result<TokenStream2> {
    let args = parse_args(kind, args);
    let func = syn::parse2::<ItemFn>(item);
    let shape = match &func {
        Ok(func) => check_fn(kind, func),
        Err(_) => Ok(()),
    };
    let (args, func) = match (args, func, shape) {
        (Ok(args), Ok(func), Ok(())) => (args, func),
        (args, func, shape) => {
            let mut errors = [args.err(), func.err(), shape.err()].into_iter().flatten();
            let mut first = errors.next().expect("one of them failed");
            for e in errors {
                first.combine(e);
            }
            return Err(first);
        }
    };

    let ItemFn {
        attrs,
        vis,
        sig,
        block,
    } = func;
    // Inner attributes (`#![allow(..)]` at the top of the body) stay inside.
    let (inner, outer): (Vec<Attribute>, Vec<Attribute>) = attrs
        .into_iter()
        .partition(|a| matches!(a.style, AttrStyle::Inner(_)));
    let ident = &sig.ident;
    let output = &sig.output;
    let krate = match &args.krate {
        Some(path) => path.to_token_stream(),
        None => quote!(::ringio),
    };

    // The future: the body stays an `async fn` of its own, nested, so that it
    // is checked exactly as written (`return`, `?` and coercions see the
    // declared return type, `impl Trait` included). A nested function cannot
    // name `Self`: such a body (in an `impl` block) becomes an `async` block.
    let body = if mentions_self(quote!(#output #block)) {
        quote!(let __ringio_body = async move #block;)
    } else {
        quote! {
            async fn __ringio_main() #output #block
            let __ringio_body = __ringio_main();
        }
    };
    let run = match args.entries {
        None => quote!(#krate::run(__ringio_body)),
        Some(entries) => {
            let entries = Literal::u32_unsuffixed(entries);
            quote! {
                match #krate::Builder::new().entries(#entries).build() {
                    ::core::result::Result::Ok(__ringio_runtime) => {
                        __ringio_runtime.block_on(__ringio_body)
                    }
                    ::core::result::Result::Err(__ringio_error) => {
                        ::core::panic!("{}", __ringio_error)
                    }
                }
            }
        }
    };
    let test_attr = match kind {
        Kind::Main => quote!(),
        Kind::Test => quote!(#[::core::prelude::v1::test]),
    };
    Ok(quote! {
        #test_attr
        #(#outer)*
        #vis fn #ident() #output {
            #(#inner)*
            #body
            #run
        }
    })
}

#[cfg(test)]
mod tests {
    use super::{entry, expand, parse_args, Args, Kind};
    use proc_macro2::TokenStream as TokenStream2;
    use quote::{quote, ToTokens};

    fn args(kind: Kind, tokens: TokenStream2) -> syn::Result<Args> {
        parse_args(kind, tokens)
    }

    fn args_err(kind: Kind, tokens: TokenStream2) -> String {
        match args(kind, tokens) {
            Ok(args) => panic!("expected an error, got entries = {:?}", args.entries),
            Err(e) => e.to_string(),
        }
    }

    fn expand_err(kind: Kind, args: TokenStream2, item: TokenStream2) -> String {
        match expand(kind, args, item) {
            Ok(tokens) => panic!("expected an error, got {tokens}"),
            Err(e) => e
                .into_iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }

    fn expand_ok(kind: Kind, args: TokenStream2, item: TokenStream2) -> String {
        match expand(kind, args, item) {
            Ok(tokens) => tokens.to_string(),
            Err(e) => panic!("unexpected error: {e}"),
        }
    }

    #[test]
    fn no_arguments() {
        let a = args(Kind::Main, quote!()).unwrap();
        assert_eq!(a.entries, None);
        assert!(a.krate.is_none());
    }

    #[test]
    fn entries_and_crate() {
        let a = args(Kind::Test, quote!(entries = 8)).unwrap();
        assert_eq!(a.entries, Some(8));
        let a = args(Kind::Main, quote!(entries = 1_024u32,)).unwrap();
        assert_eq!(a.entries, Some(1024));
        let a = args(Kind::Main, quote!(crate = ::my::ringio, entries = 0x10)).unwrap();
        assert_eq!(a.entries, Some(16));
        assert_eq!(
            a.krate.unwrap().to_token_stream().to_string(),
            ":: my :: ringio"
        );
        let a = args(Kind::Main, quote!(crate = crate)).unwrap();
        assert_eq!(a.krate.unwrap().to_token_stream().to_string(), "crate");
    }

    #[test]
    fn unknown_argument() {
        assert_eq!(
            args_err(Kind::Main, quote!(x = 1)),
            "unknown argument `x`: `#[ringio::main]` accepts `entries = N` and `crate = path`"
        );
        assert_eq!(
            args_err(Kind::Test, quote!(entries = 8, flavor = "current_thread")),
            "unknown argument `flavor`: `#[ringio::test]` accepts `entries = N` and `crate = path`"
        );
    }

    #[test]
    fn bad_entries() {
        let not_int = "`entries` must be an integer literal, e.g. `entries = 256`";
        assert_eq!(args_err(Kind::Main, quote!(entries = "8")), not_int);
        assert_eq!(args_err(Kind::Main, quote!(entries = 8.0)), not_int);
        assert_eq!(args_err(Kind::Main, quote!(entries = N)), not_int);
        assert_eq!(args_err(Kind::Main, quote!(entries = -1)), not_int);
        assert_eq!(args_err(Kind::Main, quote!(entries =)), not_int);
        assert_eq!(args_err(Kind::Main, quote!(entries = , crate = x)), not_int);
        assert_eq!(
            args_err(Kind::Main, quote!(entries = 0)),
            "`entries` must be at least 1"
        );
        assert_eq!(
            args_err(Kind::Main, quote!(entries = 4294967296)),
            "`entries` must fit in a `u32` (at most 4294967295)"
        );
        assert_eq!(
            args_err(Kind::Main, quote!(entries = 8u64)),
            "`entries` is a `u32`: write the integer without a suffix"
        );
    }

    #[test]
    fn malformed_arguments() {
        assert_eq!(
            args_err(Kind::Main, quote!(entries)),
            "expected `=`: write `entries = N`"
        );
        assert_eq!(
            args_err(Kind::Main, quote!(entries(8))),
            "expected `=`: write `entries = N`"
        );
        assert_eq!(
            args_err(Kind::Main, quote!(entries = 8, entries = 9)),
            "duplicate argument `entries`"
        );
        assert_eq!(
            args_err(Kind::Main, quote!(crate =)),
            "expected a path: `crate = path`, e.g. `crate = ringio`"
        );
        assert!(args_err(Kind::Main, quote!(entries = 8 crate = x)).contains("expected `,`"));
        assert!(args_err(Kind::Main, quote!("entries")).contains("`#[ringio::main]` accepts"));
    }

    #[test]
    fn not_async() {
        assert_eq!(
            expand_err(
                Kind::Main,
                quote!(),
                quote!(
                    fn main() {}
                )
            ),
            "the function must be `async`"
        );
        assert_eq!(
            expand_err(
                Kind::Test,
                quote!(entries = 8),
                quote!(
                    fn t() {}
                )
            ),
            "the function must be `async`"
        );
    }

    #[test]
    fn parameters_and_generics() {
        assert_eq!(
            expand_err(
                Kind::Main,
                quote!(),
                quote!(
                    async fn main(x: u32) {}
                )
            ),
            "the function must take no parameters"
        );
        assert_eq!(
            expand_err(
                Kind::Test,
                quote!(),
                quote!(
                    async fn t<T>() {}
                )
            ),
            "the function must not be generic"
        );
        assert_eq!(
            expand_err(
                Kind::Test,
                quote!(),
                quote!(
                    async fn t()
                    where
                        u8: Copy,
                    {
                    }
                )
            ),
            "the function must not be generic"
        );
        // Every problem is reported, arguments included.
        assert_eq!(
            expand_err(
                Kind::Main,
                quote!(),
                quote!(
                    unsafe fn main<T>(x: T) {}
                )
            ),
            "the function must be `async`\n\
             the function must not be `unsafe`\n\
             the function must take no parameters\n\
             the function must not be generic"
        );
        assert_eq!(
            expand_err(
                Kind::Main,
                quote!(x),
                quote!(
                    struct S;
                )
            ),
            "unknown argument `x`: `#[ringio::main]` accepts `entries = N` and `crate = path`\n\
             expected `fn`"
        );
        assert_eq!(
            expand_err(
                Kind::Test,
                quote!(entries = "8"),
                quote!(
                    fn t() {}
                )
            ),
            "`entries` must be an integer literal, e.g. `entries = 256`\n\
             the function must be `async`"
        );
    }

    #[test]
    fn test_attribute_is_not_repeated() {
        let msg = "`#[ringio::test]` adds `#[test]` itself: remove this one";
        assert_eq!(
            expand_err(
                Kind::Test,
                quote!(),
                quote!(
                    #[test]
                    async fn t() {}
                )
            ),
            msg
        );
        assert_eq!(
            expand_err(
                Kind::Test,
                quote!(),
                quote!(
                    #[::core::prelude::v1::test]
                    async fn t() {}
                )
            ),
            msg
        );
        // `#[test]` on `#[ringio::main]` is the user's business.
        expand_ok(
            Kind::Main,
            quote!(),
            quote!(
                #[test]
                async fn t() {}
            ),
        );
    }

    #[test]
    fn errors_keep_the_item() {
        let out = entry(
            Kind::Main,
            quote!(x = 1),
            quote!(
                async fn main() {}
            ),
        )
        .to_string();
        assert!(out.contains("compile_error"), "{out}");
        assert!(out.contains("async fn main"), "{out}");
    }

    #[test]
    fn main_expansion() {
        let out = expand_ok(
            Kind::Main,
            quote!(),
            quote! {
                /// Docs.
                #[allow(unused)]
                pub async fn main() { work().await }
            },
        );
        let expected = quote! {
            #[doc = r" Docs."]
            #[allow(unused)]
            pub fn main() {
                async fn __ringio_main() { work().await }
                let __ringio_body = __ringio_main();
                ::ringio::run(__ringio_body)
            }
        };
        assert_eq!(out, expected.to_string());
    }

    #[test]
    fn main_with_entries_and_a_result() {
        let out = expand_ok(
            Kind::Main,
            quote!(entries = 8, crate = my_ringio),
            quote!(
                async fn main() -> Result<(), E> {
                    Ok(())
                }
            ),
        );
        let expected = quote! {
            fn main() -> Result<(), E> {
                async fn __ringio_main() -> Result<(), E> { Ok(()) }
                let __ringio_body = __ringio_main();
                match my_ringio::Builder::new().entries(8).build() {
                    ::core::result::Result::Ok(__ringio_runtime) => {
                        __ringio_runtime.block_on(__ringio_body)
                    }
                    ::core::result::Result::Err(__ringio_error) => {
                        ::core::panic!("{}", __ringio_error)
                    }
                }
            }
        };
        assert_eq!(out, expected.to_string());
    }

    #[test]
    fn self_becomes_an_async_block() {
        let out = expand_ok(
            Kind::Main,
            quote!(),
            quote!(
                async fn make() -> Self {
                    Self
                }
            ),
        );
        let expected = quote! {
            fn make() -> Self {
                let __ringio_body = async move { Self };
                ::ringio::run(__ringio_body)
            }
        };
        assert_eq!(out, expected.to_string());
        let out = expand_ok(
            Kind::Main,
            quote!(),
            quote!(
                async fn make() -> u8 {
                    Self::N
                }
            ),
        );
        assert!(out.contains("let __ringio_body = async move {"), "{out}");
    }

    #[test]
    fn test_expansion_puts_test_first() {
        let out = expand_ok(
            Kind::Test,
            quote!(),
            quote! {
                #[should_panic(expected = "boom")]
                #[ignore]
                async fn t() { panic!("boom") }
            },
        );
        let expected = quote! {
            #[::core::prelude::v1::test]
            #[should_panic(expected = "boom")]
            #[ignore]
            fn t() {
                async fn __ringio_main() { panic!("boom") }
                let __ringio_body = __ringio_main();
                ::ringio::run(__ringio_body)
            }
        };
        assert_eq!(out, expected.to_string());
    }

    #[test]
    fn inner_attributes_stay_inside() {
        let out = expand_ok(
            Kind::Test,
            quote!(),
            quote! {
                #[ignore]
                async fn t() {
                    #![allow(unused_variables)]
                    let x = 1;
                }
            },
        );
        let expected = quote! {
            #[::core::prelude::v1::test]
            #[ignore]
            fn t() {
                #![allow(unused_variables)]
                async fn __ringio_main() { let x = 1; }
                let __ringio_body = __ringio_main();
                ::ringio::run(__ringio_body)
            }
        };
        assert_eq!(out, expected.to_string());
    }
}
