//! Domain states and kinds as enums with a stored code and a Chinese label.

/// Declare an enum whose variants have a stable code (stored in the database,
/// used in machine interfaces and serde) and a Chinese label (shown to
/// people), with `as_str`, `label`, `ALL`, `FromStr` (an unknown code is an
/// error naming it, never a silent default), `Display` (the label) and serde
/// as the code:
///
/// ```
/// kernel::labelled_enum! {
///     /// 申请状态
///     pub enum Status {
///         Draft = ("draft", "草稿"),
///         Submitted = ("submitted", "已提交"),
///     }
/// }
/// assert_eq!("draft".parse::<Status>().unwrap(), Status::Draft);
/// assert_eq!(Status::Submitted.to_string(), "已提交");
/// assert!("bogus".parse::<Status>().is_err());
/// ```
#[macro_export]
macro_rules! labelled_enum {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($(#[$vmeta:meta])* $v:ident = ($code:literal, $label:literal)),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name { $($(#[$vmeta])* $v,)+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$v,)+];

            /// The stored code.
            pub const fn as_str(self) -> &'static str {
                match self { $($name::$v => $code,)+ }
            }

            /// The Chinese label.
            pub const fn label(self) -> &'static str {
                match self { $($name::$v => $label,)+ }
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::labelled::UnknownCode;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($code => Ok($name::$v),)+
                    _ => Err($crate::labelled::UnknownCode { kind: stringify!($name), code: $crate::echo(s).into_owned() }),
                }
            }
        }

        impl TryFrom<String> for $name {
            type Error = $crate::labelled::UnknownCode;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                s.parse()
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.label())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(d)?;
                s.parse().map_err(::serde::de::Error::custom)
            }
        }
    };
}

/// A stored code that names no variant: data the code does not know, which
/// is an error to report, not a state to guess.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("未知的{kind}代码 {code:?}")]
pub struct UnknownCode {
    pub kind: &'static str,
    pub code: String,
}

#[cfg(test)]
mod tests {
    crate::labelled_enum! {
        /// 测试
        enum Colour { Red = ("red", "红色"), Blue = ("blue", "蓝色") }
    }

    #[test]
    fn codes_labels_and_unknown_codes() {
        assert_eq!(Colour::ALL.len(), 2);
        assert_eq!("blue".parse::<Colour>(), Ok(Colour::Blue));
        assert_eq!(Colour::Red.as_str(), "red");
        assert_eq!(Colour::Red.to_string(), "红色");
        let e = "green".parse::<Colour>().unwrap_err();
        assert!(e.to_string().contains("green"), "{e}");
        assert_eq!(serde_json::to_string(&Colour::Red).unwrap(), "\"red\"");
        assert_eq!(serde_json::from_str::<Colour>("\"blue\"").unwrap(), Colour::Blue);
        assert!(serde_json::from_str::<Colour>("\"x\"").is_err());
    }
}
