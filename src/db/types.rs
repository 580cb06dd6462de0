//! The domain's stored enums as PostgreSQL text: each is written as its
//! `as_str` and read back through its `parse`. A value the program does not know
//! (a row written by a newer version, or by hand) is a decoding error that the
//! query returns, never a panic. The same text inside JSON that a query builds
//! (a list aggregated into one row) reads back through `parse` as well.

use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::postgres::{PgArgumentBuffer, PgHasArrayType, PgTypeInfo, PgValueRef};
use sqlx::{Decode, Encode, Postgres, Type};

use crate::domain::audit::AuditAction;
use crate::domain::message::{MessageKind, MessageState};
use crate::domain::workflow::{CaseState, DecisionOutcome, Role};

macro_rules! stored_as_text {
    ($($ty:ty),*) => {$(
        impl Type<Postgres> for $ty {
            fn type_info() -> PgTypeInfo {
                <&str as Type<Postgres>>::type_info()
            }

            fn compatible(ty: &PgTypeInfo) -> bool {
                <&str as Type<Postgres>>::compatible(ty)
            }
        }

        impl PgHasArrayType for $ty {
            fn array_type_info() -> PgTypeInfo {
                <&str as PgHasArrayType>::array_type_info()
            }

            fn array_compatible(ty: &PgTypeInfo) -> bool {
                <&str as PgHasArrayType>::array_compatible(ty)
            }
        }

        impl<'r> Decode<'r, Postgres> for $ty {
            fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
                let text = <&str as Decode<Postgres>>::decode(value)?;
                <$ty>::parse(text).ok_or_else(|| {
                    format!("{} has no value {text:?}", stringify!($ty)).into()
                })
            }
        }

        impl Encode<'_, Postgres> for $ty {
            fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
                <&str as Encode<Postgres>>::encode(self.as_str(), buf)
            }
        }

        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                <$ty>::parse(&text).ok_or_else(|| {
                    serde::de::Error::custom(format!("{} has no value {text:?}", stringify!($ty)))
                })
            }
        }
    )*};
}

stored_as_text!(
    CaseState,
    Role,
    DecisionOutcome,
    AuditAction,
    MessageKind,
    MessageState
);
