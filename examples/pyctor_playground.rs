//! pyctor's playground (its README), with async handlers: a teacher creates a student (a child,
//! which the teacher watches), greets it with `ctx.tell` (so the student knows who spoke),
//! waits on the runtime's timer without holding a thread, then sends the poison pill; when the
//! student has stopped, the teacher's `on_terminated` runs and it stops too.
//!
//! Run: `cargo run --example pyctor_playground`

use pykka::{Actor, AsyncReceive, Context, Runtime, StopReason, Terminated};
use std::time::Duration;

enum StudentMsg {
    Hello,
    Bye,
}

struct Student;
impl Actor for Student {}
impl AsyncReceive for Student {
    type Message = StudentMsg;
    type Reply = ();
    async fn on_receive(&mut self, message: StudentMsg, ctx: &mut Context<Self>) {
        match message {
            StudentMsg::Hello => {
                // pyctor's `receive(sender, message)`: the sender is in the context.
                let teacher = ctx.sender().expect("told from inside an actor");
                println!("student: hello, {}", teacher.actor_class());
                if let Some(t) = teacher.downcast::<Teacher>() {
                    let _ = ctx.tell(&t, TeacherMsg::Answer("good morning".into()));
                }
            }
            StudentMsg::Bye => {
                println!("student: bye!");
                ctx.stop(); // PoisonPill
            }
        }
    }
}

enum TeacherMsg {
    Begin,
    Answer(String),
}

struct Teacher;
impl Actor for Teacher {
    fn on_terminated(&mut self, t: &Terminated, ctx: &mut Context<Self>) {
        // The teacher watches its child (pyctor's rule): told when it stops.
        println!("teacher: {} has left ({:?})", t.actor_class(), t.reason());
        assert_eq!(t.reason(), StopReason::Stopped);
        ctx.stop();
    }
}
impl AsyncReceive for Teacher {
    type Message = TeacherMsg;
    type Reply = ();
    async fn on_receive(&mut self, message: TeacherMsg, ctx: &mut Context<Self>) {
        match message {
            TeacherMsg::Begin => {
                let mike = ctx.start_child(Student); // self.system.create(Student())
                let _ = ctx.tell(&mike, StudentMsg::Hello);
                // asyncio.sleep: on the timer thread, no pool thread held.
                ctx.sleep(Duration::from_millis(20)).await.unwrap();
                let _ = ctx.tell(&mike, StudentMsg::Bye);
            }
            TeacherMsg::Answer(text) => println!("teacher: the student said {text:?}"),
        }
    }
}

fn main() {
    let system = Runtime::builder().threads(2).build().unwrap(); // ActorSystem()
    let _dead = system.subscribe_dead_letters(|d| eprintln!("dead letter: {d}"));
    let teacher = Teacher.start_in(&system); // system.create(Teacher())
    teacher.tell(TeacherMsg::Begin).unwrap();
    system.join().unwrap(); // every actor has stopped
    assert!(!teacher.is_alive());
    let stopped = system.stopped();
    system.shutdown().unwrap(); // system.shutdown()
    stopped.get().unwrap(); // await system.stopped()
    println!("system stopped");
}
