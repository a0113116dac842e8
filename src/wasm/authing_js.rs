//! The exported Authing core class (filled in with the Authing client).
